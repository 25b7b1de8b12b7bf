package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/merci-loyalty/merci/syncwire"
)

func runOK(t *testing.T, args ...string) string {
	t.Helper()
	var out bytes.Buffer
	if err := run(context.Background(), args, &out); err != nil {
		t.Fatalf("merci-cloud %s: %v", strings.Join(args, " "), err)
	}
	return out.String()
}

func TestCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "cloud.db")
	created := runOK(t, "shop", "create", "--name", "Café Lune", "--db", db)
	m := regexp.MustCompile(`created: (\S+)\n.*: (\w{4}-\w{4}-\w{4}-\w{4})\n`).FindStringSubmatch(created)
	if m == nil {
		t.Fatalf("shop create printed %q, want the shop id and a code", created)
	}
	shopID, code := m[1], m[2]
	if list := runOK(t, "shop", "list", "--db", db); !strings.Contains(list, shopID) || !strings.Contains(list, "Café Lune") {
		t.Errorf("shop list = %q, want the shop", list)
	}

	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	served := make(chan error, 1)
	go func() {
		served <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0", "--trusted-proxy", "10.0.0.0/8,192.0.2.1", "--db", db}, pw)
	}()
	lines := bufio.NewReader(pr)
	line, err := lines.ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	metricsLine, err := lines.ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	go io.Copy(io.Discard, lines)
	base := regexp.MustCompile(`http://\S+`).FindString(line)
	body, _ := json.Marshal(syncwire.EnrollRequest{Code: code, DeviceName: "Till 1"})
	resp, err := http.Post(base+"/v1/enroll", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var enrolled syncwire.EnrollResponse
	json.NewDecoder(resp.Body).Decode(&enrolled)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || enrolled.ShopID != shopID || !enrolled.Owner {
		t.Fatalf("enroll through the served API: %d %+v", resp.StatusCode, enrolled)
	}
	// The metrics are served on their own address, not on the API's.
	if st, body := httpGet(t, regexp.MustCompile(`http://\S+`).FindString(metricsLine)); st != http.StatusOK || !strings.Contains(body, "merci_http_requests_total") {
		t.Errorf("metrics address: status %d, %.200q", st, body)
	}
	if st, _ := httpGet(t, base+"/metrics"); st != http.StatusNotFound {
		t.Errorf("GET /metrics on the API: status %d, want 404", st)
	}
	// A long-poll in flight does not hold up the shutdown.
	pulled := make(chan int, 1)
	go func() {
		req, _ := http.NewRequest("GET", base+"/v1/sync/pull?wait=25s", nil)
		req.Header.Set("Authorization", "Bearer "+enrolled.Token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			pulled <- 0
			return
		}
		resp.Body.Close()
		pulled <- resp.StatusCode
	}()
	waitForMetric(t, strings.TrimSuffix(regexp.MustCompile(`http://\S+`).FindString(metricsLine), "/metrics"), "merci_pull_waiting 1")
	cancel()
	select {
	case err := <-served:
		if err != nil {
			t.Errorf("serve: %v", err)
		}
	case <-time.After(20 * time.Second): // a failure bound, below the pull's 25 s
		t.Fatalf("serve still running 20 s after it was stopped: the waiting pull holds up the shutdown")
	}
	if st := <-pulled; st != http.StatusOK {
		t.Errorf("the waiting pull: status %d, want an answer (200) when the server stops", st)
	}

	if list := runOK(t, "device", "list", "--shop", shopID, "--db", db); !strings.Contains(list, "Till 1") {
		t.Errorf("device list = %q, want Till 1", list)
	}
	runOK(t, "device", "revoke", "--shop", shopID, "--device", enrolled.DeviceID, "--db", db)
	if list := runOK(t, "device", "list", "--shop", shopID, "--db", db); !regexp.MustCompile(`Till 1\s+owner\s+\S+ \S+\s+\S+`).MatchString(list) {
		t.Errorf("device list after revoke = %q, want a revocation time", list)
	}
	if code := runOK(t, "shop", "code", "--shop", shopID, "--db", db); !strings.Contains(code, "till enrollment code") {
		t.Errorf("shop code = %q, want a till's code", code)
	}
	if code := runOK(t, "shop", "code", "--shop", shopID, "--role", "kiosk", "--db", db); !strings.Contains(code, "kiosk enrollment code") {
		t.Errorf("shop code --role kiosk = %q, want a kiosk's code", code)
	}
	if err := run(context.Background(), []string{"shop", "code", "--shop", shopID, "--role", "admin", "--db", db}, io.Discard); err == nil {
		t.Errorf("shop code --role admin: no error")
	}
	restored := runOK(t, "restore", "--db", db)
	if !strings.Contains(restored, enrolled.Epoch) || strings.Count(restored, "epoch") != 1 {
		t.Errorf("restore = %q, want the old epoch %s replaced", restored, enrolled.Epoch)
	}
	if err := run(context.Background(), []string{"nonsense"}, io.Discard); err == nil {
		t.Errorf("unknown command: no error")
	}
}

func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// waitForMetric waits until the server at base exposes the metric line want: it
// announces so a point it reached, such as a pull waiting.
func waitForMetric(t *testing.T, base, want string) {
	t.Helper()
	line := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(want) + `$`)
	deadline := time.Now().Add(time.Minute) // a failure bound only
	for {
		resp, err := http.Get(base + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if line.Match(body) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %q in the metrics after a minute", want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
