package flow

import "testing"

// TestDataSharingURLIn: ?lang= is added to the network's data sharing
// address only when it is Onward's own /data-sharing page; a protocol
// published elsewhere is linked as it is.
func TestDataSharingURLIn(t *testing.T) {
	own := []string{"onward.example.org", "127.0.0.1:8191"}
	for _, tc := range []struct{ raw, want string }{
		{"https://onward.example.org/data-sharing", "https://onward.example.org/data-sharing?lang=pl"},
		{"https://ONWARD.example.org/data-sharing", "https://ONWARD.example.org/data-sharing?lang=pl"},
		{"http://127.0.0.1:8191/data-sharing", "http://127.0.0.1:8191/data-sharing?lang=pl"},
		{"/data-sharing", "/data-sharing?lang=pl"},
		{"https://onward.example.org/data-sharing?lang=en#who", "https://onward.example.org/data-sharing?lang=pl#who"},
		{"https://kingdomadvice.example.org/data-sharing", "https://kingdomadvice.example.org/data-sharing"},
		{"https://kingdomadvice.example.org/privacy/data-sharing-protocol", "https://kingdomadvice.example.org/privacy/data-sharing-protocol"},
		{"https://onward.example.org/privacy", "https://onward.example.org/privacy"},
		{"https://someone@onward.example.org/data-sharing", "https://someone@onward.example.org/data-sharing"},
		{"", ""},
		{"%zz", "%zz"},
	} {
		if got := DataSharingURLIn(tc.raw, "pl", own...); got != tc.want {
			t.Errorf("DataSharingURLIn(%q) = %q, want %q", tc.raw, got, tc.want)
		}
	}
	if got := DataSharingURLIn("https://onward.example.org/data-sharing", "pl"); got != "https://onward.example.org/data-sharing" {
		t.Errorf("with no own host: %q", got)
	}
}
