// Package redisurl reads ONWARD_REDIS_URL, which names one Redis server, a
// Sentinel set or a Cluster, into a go-redis client. It depends on go-redis
// alone, so `onward services` can check a Redis without the whole program.
package redisurl

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/redis/go-redis/v9"
)

// The forms ONWARD_REDIS_URL takes. A single server is go-redis's own URL;
// a Sentinel set and a Cluster list their servers comma-separated in the
// host, so one setting names the whole shape:
//
//	redis://[:password@]host:6379/0                       one server
//	redis+sentinel://[:password@]s1:26379,s2:26379,s3:26379/mymaster?db=0
//	redis+cluster://[:password@]n1:6379,n2:6379,n3:6379
//
// The password (and user) in a Sentinel URL are the Redis servers'; a
// Sentinel that asks for a password of its own takes it from the
// sentinel_password (and sentinel_username) query options. rediss+sentinel
// and rediss+cluster use TLS. Any other query option is one of go-redis's
// (dial_timeout=3s, pool_size=50, …).
const (
	schemeSentinel    = "redis+sentinel"
	schemeSentinelTLS = "rediss+sentinel"
	schemeCluster     = "redis+cluster"
	schemeClusterTLS  = "rediss+cluster"
)

// Shape is what a Redis URL names.
type Shape string

// The shapes of Redis a URL can name.
const (
	Single   Shape = "single"
	Sentinel Shape = "sentinel"
	Cluster  Shape = "cluster"
)

// New makes the client for a Redis URL in any of the forms above. It
// does not connect: the first command does. The client honours its
// callers' deadlines on the socket (ContextTimeoutEnabled), which
// AddDeadline relies on.
func New(rawURL string) (redis.UniversalClient, Shape, error) {
	scheme, _, ok := strings.Cut(rawURL, "://")
	if !ok {
		return nil, "", errors.New("not a Redis URL like redis://127.0.0.1:6379/0")
	}
	switch strings.ToLower(scheme) {
	case schemeSentinel, schemeSentinelTLS:
		o, err := ParseSentinel(rawURL)
		if err != nil {
			return nil, "", err
		}
		o.ContextTimeoutEnabled = true
		return redis.NewFailoverClient(o), Sentinel, nil
	case schemeCluster, schemeClusterTLS:
		o, err := parseClusterURL(rawURL)
		if err != nil {
			return nil, "", err
		}
		o.ContextTimeoutEnabled = true
		return redis.NewClusterClient(o), Cluster, nil
	default:
		o, err := redis.ParseURL(rawURL)
		if err != nil {
			const like = "not a Redis URL like redis://127.0.0.1:6379/0, redis+sentinel://host1:26379,host2:26379/mymaster or redis+cluster://host1:6379,host2:6379"
			// go-redis's message can quote the URL, password and all:
			// said only when it names neither (an option it does not
			// know, a value it cannot read).
			if why, ok := withoutSecrets(err.Error(), rawURL); ok {
				return nil, "", fmt.Errorf("%s (%s)", like, why)
			}
			return nil, "", errors.New(like)
		}
		o.ContextTimeoutEnabled = true
		return redis.NewClient(o), Single, nil
	}
}

// withoutSecrets is go-redis's message about rawURL without its "redis: "
// prefix, and whether it may be shown: not when it quotes the URL or its
// password.
func withoutSecrets(msg, rawURL string) (string, bool) {
	if strings.Contains(msg, rawURL) {
		return "", false
	}
	if u, err := url.Parse(rawURL); err != nil {
		return "", false
	} else if p, set := u.User.Password(); set && p != "" && strings.Contains(msg, p) {
		return "", false
	}
	return strings.TrimPrefix(msg, "redis: "), true
}

// multiHostURL is a URL whose host part lists several host:port pairs.
type multiHostURL struct {
	tls   bool
	user  *url.Userinfo
	hosts []string
	path  string
	query url.Values
}

// parseMultiHost splits a redis+sentinel or redis+cluster URL. net/url
// cannot be trusted with a comma-separated host list, so the host part is
// cut out by hand and the rest parsed with an ordinary host in its place.
func parseMultiHost(rawURL, defaultPort string) (multiHostURL, error) {
	var m multiHostURL
	scheme, rest, _ := strings.Cut(rawURL, "://")
	m.tls = strings.HasPrefix(strings.ToLower(scheme), "rediss")
	authority, tail := rest, ""
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		authority, tail = rest[:i], rest[i:]
	}
	userinfo, hostList := "", authority
	if i := strings.LastIndex(authority, "@"); i >= 0 {
		userinfo, hostList = authority[:i+1], authority[i+1:]
	}
	u, err := url.Parse("redis://" + userinfo + "placeholder" + tail)
	if err != nil {
		return m, fmt.Errorf("%s URL: cannot read it (check the password is URL-encoded)", scheme)
	}
	m.user, m.path, m.query = u.User, strings.Trim(u.Path, "/"), u.Query()
	for _, h := range strings.Split(hostList, ",") {
		h = strings.TrimSpace(h)
		if h == "" {
			continue
		}
		if _, _, err := net.SplitHostPort(h); err != nil {
			h = net.JoinHostPort(h, defaultPort)
		}
		m.hosts = append(m.hosts, h)
	}
	if len(m.hosts) == 0 {
		return m, fmt.Errorf("%s URL names no servers: list them like %s://host1:%s,host2:%s", scheme, scheme, defaultPort, defaultPort)
	}
	return m, nil
}

// ParseSentinel reads a redis+sentinel:// URL into go-redis's failover
// options, by way of go-redis's own parser so every one of its options
// works in the query.
func ParseSentinel(rawURL string) (*redis.FailoverOptions, error) {
	m, err := parseMultiHost(rawURL, "26379")
	if err != nil {
		return nil, err
	}
	master := m.path
	if master == "" || strings.Contains(master, "/") {
		return nil, errors.New("redis+sentinel URL must name the master set after the servers, like redis+sentinel://host1:26379,host2:26379/mymaster")
	}
	q := m.query
	// go-redis reads the Sentinels' credentials from the URL's user part
	// and the servers' from the query; ours are the other way round,
	// because the servers' password is the one everyone sets.
	var sentinelUser *url.Userinfo
	if p := q.Get("sentinel_password"); p != "" || q.Get("sentinel_username") != "" {
		sentinelUser = url.UserPassword(q.Get("sentinel_username"), p)
	}
	q.Del("sentinel_password")
	q.Del("sentinel_username")
	if m.user != nil {
		if n := m.user.Username(); n != "" {
			q.Set("username", n)
		}
		if p, ok := m.user.Password(); ok {
			q.Set("password", p)
		}
	}
	q.Set("master_name", master)
	for _, h := range m.hosts[1:] {
		q.Add("addr", h)
	}
	scheme := "redis"
	if m.tls {
		scheme = "rediss"
	}
	u := url.URL{Scheme: scheme, User: sentinelUser, Host: m.hosts[0], RawQuery: q.Encode()}
	o, err := redis.ParseFailoverURL(u.String())
	if err != nil {
		return nil, fmt.Errorf("redis+sentinel URL: %s", redactedParseError(err))
	}
	return o, nil
}

// parseClusterURL reads a redis+cluster:// URL into go-redis's cluster
// options, likewise.
func parseClusterURL(rawURL string) (*redis.ClusterOptions, error) {
	m, err := parseMultiHost(rawURL, "6379")
	if err != nil {
		return nil, err
	}
	if m.path != "" {
		return nil, errors.New("redis+cluster URL takes no database number: a Cluster has only database 0")
	}
	q := m.query
	for _, h := range m.hosts[1:] {
		q.Add("addr", h)
	}
	scheme := "redis"
	if m.tls {
		scheme = "rediss"
	}
	u := url.URL{Scheme: scheme, User: m.user, Host: m.hosts[0], RawQuery: q.Encode()}
	o, err := redis.ParseClusterURL(u.String())
	if err != nil {
		return nil, fmt.Errorf("redis+cluster URL: %s", redactedParseError(err))
	}
	return o, nil
}

// redactedParseError keeps go-redis's reason but not a URL it may quote.
func redactedParseError(err error) string {
	s := err.Error()
	if strings.Contains(s, "://") {
		return "go-redis cannot read it"
	}
	return s
}
