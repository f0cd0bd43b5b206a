package bot

import (
	"strings"

	"github.com/mssola/useragent"
)

// unknownBrowser is said of a session whose browser the User-Agent does
// not name as one of deviceBrowsers (a script, a rare browser, none sent).
const unknownBrowser = "Unknown browser"

// deviceBrowsers are the browsers a session's description names, keyed by
// the name mssola/useragent gives them, valued by the name a person knows
// them by. Anything else reads as unknownBrowser: a made-up or unusual
// User-Agent is never echoed onto the page.
var deviceBrowsers = map[string]string{
	"Firefox":           "Firefox",
	"Chrome":            "Chrome",
	"Headless Chrome":   "Chrome",
	"Chromium":          "Chromium",
	"Edge":              "Edge",
	"Safari":            "Safari",
	"Opera":             "Opera",
	"Internet Explorer": "Internet Explorer",
	"Android":           "Android browser", // the library's name for Samsung Internet and Android's own
	"DuckDuckGo":        "DuckDuckGo",
	"YaBrowser":         "Yandex Browser",
}

// deviceSystems are the operating systems a session's description names,
// keyed by the library's OSInfo name; iPhones, iPads and ChromeOS are
// told apart by deviceSystem itself.
var deviceSystems = map[string]string{
	"Windows":  "Windows",
	"Mac OS X": "macOS",
	"Android":  "Android",
	"Linux":    "Linux",
	"Ubuntu":   "Linux",
}

// deviceName describes the device a session signed in from, in words its
// owner recognises among their sessions ("Firefox on Windows", "Safari on
// iPhone"), from the User-Agent of the request that signed in. Only this
// description is kept with the session, not the User-Agent itself.
func deviceName(userAgent string) string {
	ua := useragent.New(userAgent)
	name, _ := ua.Browser()
	browser, ok := deviceBrowsers[name]
	if !ok || ua.Bot() {
		browser = unknownBrowser
	}
	if system := deviceSystem(ua); system != "" {
		return browser + " on " + system
	}
	return browser
}

// deviceSystem is the operating system's name in deviceName, or "" when
// it is not one that deviceSystems or the cases below know.
func deviceSystem(ua *useragent.UserAgent) string {
	name := ua.OSInfo().Name
	switch platform := ua.Platform(); {
	case platform == "iPad":
		return "iPad"
	case platform == "iPhone" || platform == "iPod":
		return "iPhone"
	case strings.HasPrefix(name, "CrOS"):
		return "ChromeOS"
	}
	return deviceSystems[name]
}
