package localsvc

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"

	"github.com/onward-network/onward/internal/redisurl"
	"github.com/onward-network/onward/internal/serverproc"
)

// machineRedisURL is the machine's Redis on its default port.
const machineRedisURL = "redis://127.0.0.1:6379/0"

// configuredRedis checks ONWARD_REDIS_URL when it is set.
func configuredRedis(ctx context.Context, o Options) (string, error) {
	if o.RedisURL == "" {
		return "", nil
	}
	c, shape, err := redisurl.New(o.RedisURL)
	if err != nil {
		return "", fmt.Errorf("ONWARD_REDIS_URL (%s): %w", redactURL(o.RedisURL), err)
	}
	if shape != redisurl.Single {
		// A Sentinel set or a Cluster: ask it through the client that
		// will be used, which knows how to find the master.
		pctx, cancel := context.WithTimeout(ctx, configuredTimeout)
		err = c.Ping(pctx).Err()
		cancel()
	} else {
		err = pingRedis(ctx, o.RedisURL, configuredTimeout)
	}
	c.Close()
	if err != nil {
		return "", fmt.Errorf("Redis at ONWARD_REDIS_URL (%s) did not answer within %s: %s",
			redactURL(o.RedisURL), configuredTimeout, serverproc.OneLine(err.Error()))
	}
	o.Log.Info("using Redis from ONWARD_REDIS_URL", "url", redactURL(o.RedisURL))
	return o.RedisURL, nil
}

// machineRedis returns the machine's Redis URL if it answers without a
// password, else "".
func machineRedis(ctx context.Context, o Options) string {
	if err := pingRedis(ctx, machineRedisURL, probeTimeout); err != nil {
		o.Log.Debug("no usable Redis on 127.0.0.1:6379", "err", serverproc.OneLine(err.Error()))
		return ""
	}
	o.Log.Info("using the machine's Redis", "url", machineRedisURL)
	return machineRedisURL
}

// newRedisClient makes a client for one-off checks, after dialing the
// server's address directly: go-redis logs every failed dial to stderr, and
// a server that is not there is the expected case here. The client does no
// retries and none of the handshake extras (CLIENT SETINFO, maintenance
// notifications) that older servers answer with errors.
func newRedisClient(ctx context.Context, rawURL string) (*redis.Client, error) {
	opt, err := redis.ParseURL(rawURL)
	if err != nil {
		// The parse error can quote the URL, password included.
		return nil, errors.New("not a valid Redis URL")
	}
	var d net.Dialer
	c, err := d.DialContext(ctx, opt.Network, opt.Addr)
	if err != nil {
		return nil, err
	}
	c.Close()
	opt.MaxRetries = -1
	opt.DialerRetries = 1
	opt.PoolSize = 1
	opt.DisableIdentity = true
	opt.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
	return redis.NewClient(opt), nil
}

func pingRedis(ctx context.Context, rawURL string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	c, err := newRedisClient(ctx, rawURL)
	if err != nil {
		return err
	}
	defer c.Close()
	return c.Ping(ctx).Err()
}

// privateRedis is a server run from a config file under the state folder.
type privateRedis struct {
	dir  string // Dir/redis: config, pid file, log
	port int
}

func (r *privateRedis) conf() string    { return filepath.Join(r.dir, "redis.conf") }
func (r *privateRedis) pidFile() string { return filepath.Join(r.dir, "redis.pid") }
func (r *privateRedis) logFile() string { return filepath.Join(r.dir, "redis.log") }
func (r *privateRedis) url() string     { return fmt.Sprintf("redis://127.0.0.1:%d/0", r.port) }

// ensurePrivateRedis reuses the private server if it runs, else starts it.
// It returns the server only when it started it.
func ensurePrivateRedis(ctx context.Context, o Options, dir, server string) (string, *privateRedis, error) {
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	if r, ok := runningPrivateRedis(ctx, dir); ok {
		o.Log.Info("reusing private Redis", "dir", r.dir, "url", r.url())
		return r.url(), nil, nil
	}

	r := &privateRedis{dir: filepath.Join(dir, "redis")}
	if err := os.MkdirAll(r.dir, 0o755); err != nil {
		return "", nil, fmt.Errorf("create %s: %w", r.dir, err)
	}
	var err error
	if r.port, err = serverproc.FreePort(privateRedisPort); err != nil {
		return "", nil, err
	}
	// Redis holds only short-lived state, so no persistence; it daemonizes so
	// it outlives this process and the next run can reuse it.
	conf := fmt.Sprintf(`# Written by onward (cmd/onward/localsvc) before every start; edits are lost.
bind 127.0.0.1
port %d
protected-mode yes
daemonize yes
pidfile %s
logfile %s
dir %s
save ""
appendonly no
`, r.port, redisQuote(r.pidFile()), redisQuote(r.logFile()), redisQuote(r.dir))
	if err := os.WriteFile(r.conf(), []byte(conf), 0o644); err != nil {
		return "", nil, err
	}

	o.Log.Info("starting private Redis", "dir", r.dir, "port", r.port)
	cmd := exec.CommandContext(ctx, server, r.conf())
	cmd.Dir = r.dir
	serverproc.Prepare(cmd, nil)
	if out, err := serverproc.RunToFile(cmd); err != nil {
		return "", nil, fmt.Errorf("start private Redis (%s %s): %v: %s; log: %s", server, r.conf(), err, out, serverproc.LogTail(r.logFile(), 5))
	}
	err = serverproc.WaitFor(ctx, pollEvery, func(ctx context.Context) error {
		return pingRedis(ctx, r.url(), probeTimeout)
	})
	if err != nil {
		return "", nil, fmt.Errorf("private Redis on port %d did not answer: %s; log: %s", r.port, serverproc.OneLine(err.Error()), serverproc.LogTail(r.logFile(), 5))
	}
	o.Log.Info("started private Redis", "dir", r.dir, "url", r.url())
	return r.url(), r, nil
}

// runningPrivateRedis returns the private server under dir if one answers on
// the port its config names and reports that config as its own; a port now
// used by some other Redis is not ours to reuse or stop.
func runningPrivateRedis(ctx context.Context, dir string) (*privateRedis, bool) {
	r := &privateRedis{dir: filepath.Join(dir, "redis")}
	port, err := confPort(r.conf())
	if err != nil {
		return nil, false
	}
	r.port = port
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	c, err := newRedisClient(ctx, r.url())
	if err != nil {
		return nil, false
	}
	defer c.Close()
	info, err := c.Info(ctx, "server").Result()
	if err != nil {
		return nil, false
	}
	for _, line := range strings.Split(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "config_file:"); ok {
			return r, samePath(v, r.conf())
		}
	}
	return nil, false
}

// confPort reads the port line of a redis.conf.
func confPort(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "port "); ok {
			return strconv.Atoi(strings.TrimSpace(v))
		}
	}
	return 0, fmt.Errorf("%s names no port", path)
}

// stop sends SHUTDOWN NOSAVE and waits until the port is quiet; if the
// server ignores it, it is sent SIGTERM through its pid file.
func (r *privateRedis) stop(ctx context.Context, log *slog.Logger) error {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	c, err := newRedisClient(ctx, r.url())
	if err != nil {
		return err
	}
	shutdownErr := c.ShutdownNoSave(ctx).Err()
	c.Close()
	gone := func(ctx context.Context) error {
		if pingRedis(ctx, r.url(), 500*time.Millisecond) == nil {
			return fmt.Errorf("private Redis on port %d still answers", r.port)
		}
		return nil
	}
	wctx, wcancel := context.WithTimeout(ctx, 5*time.Second)
	err = serverproc.WaitFor(wctx, pollEvery, gone)
	wcancel()
	if err != nil {
		if pid, perr := readPid(r.pidFile()); perr == nil {
			if p, ferr := os.FindProcess(pid); ferr == nil {
				_ = p.Signal(syscall.SIGTERM)
			}
		}
		if err = serverproc.WaitFor(ctx, pollEvery, gone); err != nil {
			return errors.Join(err, shutdownErr)
		}
	}
	log.Info("stopped private Redis", "dir", r.dir)
	return nil
}

func readPid(path string) (int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(strings.TrimSpace(string(b)))
}

// redisQuote quotes a redis.conf argument.
func redisQuote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// samePath compares two paths after resolving symlinks (macOS /tmp is one).
func samePath(a, b string) bool {
	if filepath.Clean(a) == filepath.Clean(b) {
		return true
	}
	ra, err1 := filepath.EvalSymlinks(a)
	rb, err2 := filepath.EvalSymlinks(b)
	return err1 == nil && err2 == nil && ra == rb
}
