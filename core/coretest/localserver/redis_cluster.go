package localserver

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/internal/serverproc"
)

// clusterSlots is how many hash slots a Redis Cluster has.
const clusterSlots = 16384

// StartCluster starts a private Redis Cluster of n masters (no
// replicas), each with append-only persistence: the hash slots are shared
// out in ranges, the nodes are introduced to each other, and it returns
// once every node says the cluster is ok.
func StartCluster(t testing.TB, n int) []*Redis {
	t.Helper()
	conf := "appendonly yes\nappendfsync everysec\nsave \"\"\ncluster-enabled yes\ncluster-config-file nodes.conf\ncluster-node-timeout 5000\n"
	nodes := make([]*Redis, n)
	for i := range nodes {
		nodes[i] = startRedis(t, "cluster", conf, false)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	first := nodes[0].Client(t)
	for i, node := range nodes {
		c := node.Client(t)
		lo, hi := i*clusterSlots/n, (i+1)*clusterSlots/n-1
		if err := c.Do(ctx, "CLUSTER", "ADDSLOTSRANGE", lo, hi).Err(); err != nil {
			t.Fatalf("cluster node %s: add slots %d-%d: %v", node.Addr(), lo, hi, err)
		}
		if i > 0 {
			if err := first.Do(ctx, "CLUSTER", "MEET", "127.0.0.1", node.Port).Err(); err != nil {
				t.Fatalf("cluster: meet %s: %v", node.Addr(), err)
			}
		}
	}
	for _, node := range nodes {
		c := node.Client(t)
		err := serverproc.WaitFor(ctx, pollEvery, func(ctx context.Context) error {
			info, err := c.ClusterInfo(ctx).Result()
			if err != nil {
				return err
			}
			if !strings.Contains(info, "cluster_state:ok") || !strings.Contains(info, fmt.Sprintf("cluster_known_nodes:%d", n)) {
				return fmt.Errorf("cluster node %s is not ready: %s", node.Addr(), strings.ReplaceAll(info, "\r\n", " "))
			}
			return nil
		})
		if err != nil {
			t.Fatalf("cluster: %v", err)
		}
	}
	return nodes
}

// ClusterURL names the cluster's nodes as ONWARD_REDIS_URL does.
func ClusterURL(nodes []*Redis) string {
	addrs := make([]string, len(nodes))
	for i, n := range nodes {
		addrs[i] = n.Addr()
	}
	return "redis+cluster://" + strings.Join(addrs, ",")
}
