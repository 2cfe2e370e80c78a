package service_test

import (
	"testing"

	"github.com/cop-territoriales/cop-api/internal/testdb"
	"github.com/cop-territoriales/cop-api/service"
	"github.com/cop-territoriales/cop-api/store"
)

// BenchmarkWritesSynchronous measures what a durable commit costs on SQLite: createAction
// as BenchmarkWrites runs it, with synchronous=FULL (the default: the write-ahead log
// synced at every commit) and NORMAL (synced at checkpoints), sequential and from 8
// writers. The database is a file under TMPDIR: run it on the disk the server uses.
func BenchmarkWritesSynchronous(b *testing.B) {
	for _, sync := range []store.Sync{store.SyncFull, store.SyncNormal} {
		b.Run(string(sync), func(b *testing.B) {
			db := testdb.PlannedWith(b, testdb.SQLite, store.Limits{Synchronous: sync})
			benchCreateActions(b, service.New(db.Client))
		})
	}
}
