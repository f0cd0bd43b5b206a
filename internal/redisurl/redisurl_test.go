package redisurl

import (
	"reflect"
	"strings"
	"testing"
)

// TestParseSentinelURL pins the redis+sentinel form: servers in the host,
// the master set in the path, the servers' password in the user part and
// the Sentinels' own in the query.
func TestParseSentinelURL(t *testing.T) {
	o, err := ParseSentinel("redis+sentinel://:s3cret@s1:26379,s2,s3:26380/mymaster?db=2&sentinel_password=sp&dial_timeout=3s")
	if err != nil {
		t.Fatal(err)
	}
	if o.MasterName != "mymaster" || o.DB != 2 || o.Password != "s3cret" || o.SentinelPassword != "sp" ||
		!reflect.DeepEqual(o.SentinelAddrs, []string{"s1:26379", "s2:26379", "s3:26380"}) || o.DialTimeout.Seconds() != 3 || o.TLSConfig != nil {
		t.Fatalf("parsed %+v", o)
	}
	if o, err := ParseSentinel("rediss+sentinel://s1/m"); err != nil || o.TLSConfig == nil {
		t.Fatalf("rediss+sentinel: %v %+v", err, o)
	}
}

func TestNewRedisShapes(t *testing.T) {
	for _, c := range []struct {
		url   string
		shape Shape
		bad   string
	}{
		{url: "redis://127.0.0.1:6379/0", shape: Single},
		{url: "redis+sentinel://h1:26379,h2:26379/mymaster", shape: Sentinel},
		{url: "redis+cluster://n1:6379,n2:6379,n3:6379", shape: Cluster},
		{url: "redis+sentinel://h1:26379", bad: "must name the master set"},
		{url: "redis+sentinel:///m", bad: "names no servers"},
		{url: "redis+cluster://n1:6379/3", bad: "no database number"},
		{url: "redis+sentinel://h1/m?bogus=1", bad: "unexpected option"},
		{url: "http://:hunter2@x", bad: "not a Redis URL"},
		// What is wrong with an option is said (an on-call review: the
		// message hid it), never the password.
		{url: "redis://127.0.0.1:6379/14?bogus=1", bad: "bogus"},
		{url: "redis://:hunter2@127.0.0.1:6379/0?dial_timeout=abc", bad: "dial_timeout"},
	} {
		c2, shape, err := New(c.url)
		if c.bad != "" {
			if err == nil || !strings.Contains(err.Error(), c.bad) {
				t.Errorf("%s: want an error saying %q, got %v", c.url, c.bad, err)
			}
			if err != nil && strings.Contains(err.Error(), "hunter2") {
				t.Errorf("%s: the error shows the password: %v", c.url, err)
			}
			continue
		}
		if err != nil || shape != c.shape {
			t.Errorf("%s: shape %q, %v; want %q", c.url, shape, err, c.shape)
			continue
		}
		c2.Close()
	}
}
