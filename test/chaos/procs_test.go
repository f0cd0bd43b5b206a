package chaos_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// proc is one onward process (serve or worker) the test starts, kills and
// restarts. A process that exits when the test did not kill or stop it is
// counted: the processes must ride out the faults by themselves.
type proc struct {
	name    string
	bin     string
	args    []string
	env     []string
	logPath string

	mu         sync.Mutex
	cmd        *exec.Cmd
	done       chan struct{}
	startedAt  time.Time
	expected   bool // the test itself ended this run
	crashed    bool // the last run ended by itself; the supervisor restarts it
	unexpected []string
	refusals   []string
}

// refuseWindow: a process that exits this soon after starting refused to
// start (before serve and worker waited for their servers, a dependency
// that did not answer did this); one that exits later had been running
// and died. Both are failures; the supervisor restarts either.
const refuseWindow = 10 * time.Second

func newProc(name, bin, dir string, env []string, args ...string) *proc {
	return &proc{name: name, bin: bin, args: args, env: env, logPath: filepath.Join(dir, name+".log")}
}

func (p *proc) start() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	log, err := os.OpenFile(p.logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	fmt.Fprintf(log, "---- start %s\n", time.Now().Format(time.RFC3339Nano))
	cmd := exec.Command(p.bin, p.args...)
	cmd.Env = p.env
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		log.Close()
		return fmt.Errorf("start %s: %w", p.name, err)
	}
	done := make(chan struct{})
	p.cmd, p.done, p.expected, p.crashed, p.startedAt = cmd, done, false, false, time.Now()
	started := p.startedAt
	go func() {
		err := cmd.Wait()
		log.Close()
		p.mu.Lock()
		if !p.expected {
			p.crashed = true
			line := fmt.Sprintf("%s exited by itself at %s, %s after starting: %v", p.name, time.Now().Format("15:04:05.000"),
				time.Since(started).Round(time.Millisecond), err)
			if time.Since(started) < refuseWindow {
				p.refusals = append(p.refusals, line)
			} else {
				p.unexpected = append(p.unexpected, line)
			}
		}
		p.mu.Unlock()
		close(done)
	}()
	return nil
}

// running reports whether the current run has not ended.
func (p *proc) running() bool {
	p.mu.Lock()
	done := p.done
	p.mu.Unlock()
	if done == nil {
		return false
	}
	select {
	case <-done:
		return false
	default:
		return true
	}
}

// signal sends sig to the running process and waits up to wait for it to
// end (SIGKILL ends it at once).
func (p *proc) signal(sig syscall.Signal, wait time.Duration) {
	p.mu.Lock()
	cmd, done := p.cmd, p.done
	p.expected = true
	p.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(sig)
	select {
	case <-done:
	case <-time.After(wait):
		_ = cmd.Process.Kill()
		<-done
	}
}

// restartIfCrashed starts the process again if its last run ended by
// itself, as a supervisor would.
func (p *proc) restartIfCrashed() error {
	p.mu.Lock()
	crashed := p.crashed
	p.mu.Unlock()
	if !crashed || p.running() {
		return nil
	}
	return p.start()
}

// startRefusals returns the runs that exited at once after starting.
func (p *proc) startRefusals() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.refusals...)
}

// exits returns the unexpected exits so far.
func (p *proc) exits() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.unexpected...)
}

// logTail is the end of the process's log, for failure messages.
func (p *proc) logTail(lines int) string {
	b, _ := os.ReadFile(p.logPath)
	all := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(all) > lines {
		all = all[len(all)-lines:]
	}
	return strings.Join(all, "\n")
}

// raceReport is the first data race the race detector reported in p's
// log, over all its runs, and how many it reported; "" and 0 when none
// (or when the binary was built without it).
func (p *proc) raceReport() (string, int) {
	b, _ := os.ReadFile(p.logPath)
	const mark = "WARNING: DATA RACE"
	s := string(b)
	i := strings.Index(s, mark)
	if i < 0 {
		return "", 0
	}
	first := s[i:]
	if end := strings.Index(first, "=================="); end > 0 {
		first = first[:end]
	}
	return first, strings.Count(s, mark)
}

// waitReady polls url until it answers 200, giving up early if p exits.
func waitReady(ctx context.Context, url string, within time.Duration, p *proc) error {
	ctx, cancel := context.WithTimeout(ctx, within)
	defer cancel()
	var last error
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		res, err := http.DefaultClient.Do(req)
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("status %d", res.StatusCode)
		}
		last = err
		if !p.running() {
			return fmt.Errorf("%s exited before %s answered", p.name, url)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s not ready within %s: %v", url, within, last)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// buildOnward builds the onward binary into dir, with the race detector
// when the test has it: the processes are then checked for races too, and
// the build reuses the packages already compiled for the tests instead of
// compiling every one again.
func buildOnward(t *testing.T, dir string) string {
	t.Helper()
	out := filepath.Join(dir, "onward")
	args := []string{"build", "-o", out}
	if raceBuild {
		args = append(args, "-race")
	}
	cmd := exec.Command("go", append(args, "github.com/onward-network/onward/cmd/onward")...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/onward: %v\n%s", err, b)
	}
	return out
}
