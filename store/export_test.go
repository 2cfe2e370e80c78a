package store

import "time"

// SetProbeEvery sets how often the replica is probed, for the replicas opened after, and
// returns the previous interval.
func SetProbeEvery(d time.Duration) time.Duration { old := probeEvery; probeEvery = d; return old }

// ReplicaState names the state of db's replica: up, down or lagging.
func ReplicaState(db *DB) string {
	return [...]string{replicaUp: "up", replicaDown: "down", replicaLagging: "lagging"}[db.health.state.Load()]
}
