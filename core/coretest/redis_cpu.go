package coretest

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// RedisCPU is the CPU time the Redis server has used, user and system,
// as its INFO reports it. It is the whole server's, so anything else
// using the same Redis counts too. Benchmarks divide the difference of
// two readings by the operations between them.
func RedisCPU(ctx context.Context, rdb redis.UniversalClient) (time.Duration, error) {
	info, err := rdb.Info(ctx, "cpu").Result()
	if err != nil {
		return 0, fmt.Errorf("redis cpu: %w", err)
	}
	var d time.Duration
	found := 0
	for _, line := range strings.Split(info, "\r\n") {
		name, v, _ := strings.Cut(line, ":")
		if name != "used_cpu_user" && name != "used_cpu_sys" {
			continue
		}
		secs, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return 0, fmt.Errorf("redis cpu: %q: %w", line, err)
		}
		d += time.Duration(secs * float64(time.Second))
		found++
	}
	if found != 2 {
		return 0, fmt.Errorf("redis cpu: INFO cpu has no used_cpu_user and used_cpu_sys")
	}
	return d, nil
}
