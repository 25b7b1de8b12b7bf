package server_test

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/merci-loyalty/merci/cloud/api/apitest"
	"github.com/merci-loyalty/merci/cloud/internal/synctest"
	"github.com/merci-loyalty/merci/cloud/server"
	"github.com/merci-loyalty/merci/syncwire"
)

// Finding, over HTTP: an operation of math.MaxInt64 points was accepted, and every
// later push of the shop answered 500. Now it is rejected in a 2xx, and the shop's
// pushes go on.
func TestPoisonPushAnswers2xxOnBothDatabases(t *testing.T) {
	synctest.ForEach(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn, server.Config{})
		d := e.shop("Shop")
		poison, next := synctest.Op(t, "c1", math.MaxInt64), synctest.Op(t, "c1", 1)
		resp := e.push(d, poison)
		if len(resp.Rejected) != 1 || resp.Rejected[0].Code != syncwire.CodeInvalid {
			t.Errorf("push of %d points = %+v, want it rejected as invalid", int64(math.MaxInt64), resp)
		}
		if resp := e.push(d, next); len(resp.Accepted) != 1 {
			t.Errorf("push of the next operation = %+v, want accepted", resp)
		}
	})
}

// Random batches of extreme values and garbage, pushed over HTTP, are answered 200
// with every change in one list, on both databases; then a plain sale still goes.
func TestRandomExtremePushesAnswer200(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	synctest.ForEach(t, func(t *testing.T, dsn string) {
		r := rand.New(rand.NewPCG(seed, 3))
		e := newEnv(t, dsn, server.Config{})
		d := e.shop("Shop")
		for range 10 {
			batch := make([]syncwire.Change, 1+r.IntN(30))
			for i := range batch {
				batch[i] = apitest.RandomChange(t, r)
				if !json.Valid(batch[i].Body) {
					batch[i].Body = []byte(`"not an object"`) // what a JSON encoder can send
				}
			}
			resp := e.push(d, batch...) // fails the test on any status but 200
			if n := len(resp.Accepted) + len(resp.Duplicate) + len(resp.Rejected) + len(resp.Refused); n != len(batch) {
				t.Errorf("%d answers to %d changes: %+v", n, len(batch), resp)
			}
		}
		if resp := e.push(d, synctest.Op(t, "c1", 1)); len(resp.Accepted) != 1 {
			t.Errorf("a plain sale after the storm = %+v, want accepted", resp)
		}
	})
}
