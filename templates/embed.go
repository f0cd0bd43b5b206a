// Package templates holds every user-facing word and piece of markup in
// Onward: HTML pages, SMS copy, conversation flows, Slack copy and emails. It is a
// leaf package: it embeds files and nothing else, so copy can change without
// touching Go logic.
package templates

import "embed"

// FS is every template file, addressed by its path under templates/
// (for example "i18n/en.toml" or "flows/self_referral.yaml").
//
//go:embed all:flows all:html all:slack all:whatsapp all:i18n all:email all:alerts
var FS embed.FS
