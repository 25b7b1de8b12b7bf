package server_test

import (
	"fmt"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/merci-loyalty/merci/cloud/internal/synctest"
	"github.com/merci-loyalty/merci/cloud/server"
	"github.com/merci-loyalty/merci/syncwire"
)

// gauge waits until the gauge name of reg reads want.
func gauge(t *testing.T, reg *prometheus.Registry, name string, want float64) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		families, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		got := 0.0
		for _, f := range families {
			if f.GetName() == name {
				got = f.GetMetric()[0].GetGauge().GetValue()
			}
		}
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s = %v, want %v", name, got, want)
		}
		time.Sleep(time.Millisecond) // polled: the server announces nothing else
	}
}

// stalledPush opens a push whose body never comes: the server works on it, a work
// slot taken, until the connection closes.
func stalledPush(t *testing.T, e *env, token string) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", e.http.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	fmt.Fprintf(conn, "POST /v1/sync/push HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Length: 100\r\n\r\n{", token)
	return conn
}

// Past MaxInFlight requests at work, the server sheds requests with 503 and
// Retry-After, and serves again once they end.
func TestInFlightCapSheds(t *testing.T) {
	reg := prometheus.NewRegistry()
	e := newEnv(t, synctest.SQLite(t), server.Config{MaxInFlight: 2, Metrics: reg})
	d := e.shop("Shop")
	a, b := stalledPush(t, e, d.Token), stalledPush(t, e, d.Token)
	gauge(t, reg, "merci_http_in_flight", 2)

	req, _ := http.NewRequest("GET", e.http.URL+"/v1/sync/pull", nil)
	req.Header.Set("Authorization", "Bearer "+d.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Errorf("third request: status %d, Retry-After %q; want 503 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if st := e.call("GET", "/healthz", "", nil, nil); st != http.StatusServiceUnavailable {
		t.Errorf("health check while busy: status %d, want 503", st)
	}

	a.Close()
	b.Close()
	gauge(t, reg, "merci_http_in_flight", 0)
	if resp := e.push(d, synctest.Op(t, "c", 1)); len(resp.Accepted) != 1 {
		t.Errorf("push once the load is gone = %+v", resp)
	}
}

// Long-polled pulls waiting do not hold the requests that work: with room for two at
// work, ten tills wait and a push still goes through and wakes them all. Past
// MaxWaiting, a pull that would wait is shed.
func TestWaitingPullsDoNotStarveTheCap(t *testing.T) {
	synctest.ForEach(t, func(t *testing.T, dsn string) {
		reg := prometheus.NewRegistry()
		e := newEnv(t, dsn, server.Config{MaxInFlight: 2, MaxWaiting: 10, Metrics: reg})
		owner := e.shop("Shop")
		var code syncwire.CodeResponse
		e.call("POST", "/v1/codes", owner.Token, syncwire.CodeRequest{}, &code)
		till := e.enroll(code.Code, "Till")

		got := make(chan syncwire.PullResponse)
		for i := range 10 {
			go func() {
				var resp syncwire.PullResponse
				if st := e.call("GET", "/v1/sync/pull?cursor=0&wait=25s", till.Token, nil, &resp); st != http.StatusOK {
					t.Errorf("waiting pull: status %d", st)
				}
				got <- resp
			}()
			// One after the other: two reading at once would fill the work slots.
			gauge(t, reg, "merci_pull_waiting", float64(i+1))
		}
		gauge(t, reg, "merci_http_in_flight", 0)
		if st := e.call("GET", "/v1/sync/pull?cursor=0&wait=25s", till.Token, nil, nil); st != http.StatusServiceUnavailable {
			t.Errorf("eleventh waiting pull: status %d, want 503", st)
		}

		op := synctest.Op(t, "c", 1)
		e.push(owner, op)
		for range 10 {
			if resp := <-got; len(resp.Changes) != 1 || resp.Changes[0].ID != op.ID {
				t.Errorf("woken pull = %+v, want the pushed operation", resp.Changes)
			}
		}
	})
}
