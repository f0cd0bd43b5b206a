package localserver

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/onward-network/onward/internal/serverproc"
)

// Redis is a private redis-server (or Sentinel) started by a test.
type Redis struct {
	Port int
	dir  string
	cmd  *exec.Cmd
	done chan struct{}
}

// Addr is the server's host:port.
func (r *Redis) Addr() string { return fmt.Sprintf("127.0.0.1:%d", r.Port) }

// Client is a plain client of this one server, closed when the test ends.
func (r *Redis) Client(t testing.TB) *redis.Client {
	c := redis.NewClient(&redis.Options{Addr: r.Addr(), MaxRetries: -1, DisableIdentity: true})
	t.Cleanup(func() { c.Close() })
	return c
}

// redisServer finds redis-server, skipping the test when it is missing.
func redisServer(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("skipped: redis-server is not installed (Debian/Ubuntu: apt-get install redis-server)")
	}
	return p
}

// StartRedis starts a private Redis with append-only persistence, as
// production should run it (a restart or failover keeps conversations);
// replicaOf, when not nil, makes it a replica of that server.
func StartRedis(t testing.TB, replicaOf *Redis) *Redis {
	t.Helper()
	conf := "appendonly yes\nappendfsync everysec\nsave \"\"\n"
	if replicaOf != nil {
		conf += fmt.Sprintf("replicaof 127.0.0.1 %d\n", replicaOf.Port)
	}
	r := startRedis(t, "redis", conf, false)
	if replicaOf != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		c := r.Client(t)
		err := serverproc.WaitFor(ctx, pollEvery, func(ctx context.Context) error {
			info, err := c.Info(ctx, "replication").Result()
			if err != nil {
				return err
			}
			if !strings.Contains(info, "master_link_status:up") {
				return fmt.Errorf("replica of %s is not linked yet", replicaOf.Addr())
			}
			return nil
		})
		if err != nil {
			t.Fatalf("redis replica: %v", err)
		}
	}
	return r
}

// StartSentinel starts a Sentinel watching master under the name
// masterName, quick to act: it calls a master down after one silent
// second, and one Sentinel is a quorum.
func StartSentinel(t testing.TB, masterName string, master *Redis) *Redis {
	t.Helper()
	conf := fmt.Sprintf(`sentinel monitor %[1]s 127.0.0.1 %[2]d 1
sentinel down-after-milliseconds %[1]s 1000
sentinel failover-timeout %[1]s 10000
sentinel parallel-syncs %[1]s 1
`, masterName, master.Port)
	s := startRedis(t, "sentinel", conf, true)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c := s.Client(t)
	err := serverproc.WaitFor(ctx, pollEvery, func(ctx context.Context) error {
		// Wait until a replica is one Sentinel would promote: found,
		// connected, linked to its master, and recently heard from. A
		// replica only found is refused with NOGOODSLAVE.
		reps, err := c.Do(ctx, "SENTINEL", "REPLICAS", masterName).Slice()
		if err != nil {
			return err
		}
		for _, rep := range reps {
			if promotable(fields(rep)) {
				return nil
			}
		}
		return fmt.Errorf("sentinel has no replica of %s it could promote yet (%d found)", masterName, len(reps))
	})
	if err != nil {
		t.Fatalf("sentinel: %v", err)
	}
	return s
}

// fields reads one entry of SENTINEL REPLICAS, a flat list of names and
// values (RESP2) or a map (RESP3), into a map of strings.
func fields(entry any) map[string]string {
	out := map[string]string{}
	switch e := entry.(type) {
	case []any:
		for i := 0; i+1 < len(e); i += 2 {
			out[fmt.Sprint(e[i])] = fmt.Sprint(e[i+1])
		}
	case map[any]any:
		for k, v := range e {
			out[fmt.Sprint(k)] = fmt.Sprint(v)
		}
	}
	return out
}

// promotable says whether Sentinel's own choice of replica to promote
// would accept this one: no down or disconnected flag, its link to the
// master up, and its INFO heard (a replica never heard from reads as
// refreshed decades ago). Sentinel asks every 10 s and, for a master not
// down, trusts an answer for 30 s.
func promotable(f map[string]string) bool {
	if f["flags"] != "slave" || f["master-link-status"] != "ok" {
		return false
	}
	refreshed, err := strconv.Atoi(f["info-refresh"])
	return err == nil && refreshed < 15000
}

// MasterAddr asks a Sentinel which server is the master now.
func (r *Redis) MasterAddr(ctx context.Context, masterName string) (string, error) {
	c := redis.NewClient(&redis.Options{Addr: r.Addr(), MaxRetries: -1, DisableIdentity: true})
	defer c.Close()
	hp, err := c.Do(ctx, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", masterName).StringSlice()
	if err != nil {
		return "", err
	}
	if len(hp) != 2 {
		return "", fmt.Errorf("sentinel answered %v", hp)
	}
	return hp[0] + ":" + hp[1], nil
}

// startRedis writes a config and runs redis-server in the foreground as a
// child of the test, killed when the test ends.
func startRedis(t testing.TB, name, extra string, sentinel bool) *Redis {
	t.Helper()
	server := redisServer(t)
	port, err := serverproc.FreePort(0)
	if err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "onward-"+name+"-")
	if err != nil {
		t.Fatal(err)
	}
	r := &Redis{Port: port, dir: dir, done: make(chan struct{})}
	conf := fmt.Sprintf("bind 127.0.0.1\nport %d\nprotected-mode no\ndaemonize no\ndir %q\nlogfile %q\n%s",
		port, dir, filepath.Join(dir, "redis.log"), extra)
	confPath := filepath.Join(dir, "redis.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{confPath}
	if sentinel {
		args = append(args, "--sentinel")
	}
	r.cmd = exec.Command(server, args...)
	r.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := r.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() { _ = r.cmd.Wait(); close(r.done) }()
	t.Cleanup(func() {
		r.Kill()
		_ = os.RemoveAll(dir)
	})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c := redis.NewClient(&redis.Options{Addr: r.Addr(), MaxRetries: -1, DisableIdentity: true})
	defer c.Close()
	if err := serverproc.WaitFor(ctx, pollEvery, func(ctx context.Context) error { return c.Ping(ctx).Err() }); err != nil {
		t.Fatalf("%s on port %d did not answer: %v; log: %s", name, port, err, serverproc.LogTail(filepath.Join(dir, "redis.log"), logLines))
	}
	return r
}

// Kill stops the server at once with SIGKILL, as a machine failing would,
// and waits for it to go.
func (r *Redis) Kill() {
	select {
	case <-r.done:
		return
	default:
	}
	_ = r.cmd.Process.Kill()
	<-r.done
}
