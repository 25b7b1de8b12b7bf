package server_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/merci-loyalty/merci/cloud/internal/synctest"
	"github.com/merci-loyalty/merci/cloud/server"
	"github.com/merci-loyalty/merci/syncwire"
)

// The push is read as a stream: what encoding/json took is still taken, and what is
// too large is refused where it starts.
func TestPushIsReadAsAStream(t *testing.T) {
	e := newEnv(t, synctest.SQLite(t), server.Config{MaxChanges: 3, DeviceRate: 1000, DeviceBurst: 1000})
	d := e.shop("Shop")
	change := func() string {
		b, err := json.Marshal(synctest.Op(t, "c", 1))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	big := `{"type":"note","key":"k","body":{"text":"` + strings.Repeat("m", server.MaxChangeBytes) + `"}}`
	valid := gzipped(t, `{"changes":[`+change()+`]}`)
	corrupt := bytes.Clone(valid)
	corrupt[len(corrupt)-8] ^= 0xff // the checksum
	for _, tc := range []struct {
		name     string
		body     []byte
		gzip     bool
		status   int
		accepted int
		message  string
	}{
		{"other names skipped, any case", []byte(`{"device":{"a":[1,2]},"Changes":[` + change() + `]}`), false, http.StatusOK, 1, ""},
		{"null", []byte(`{"changes":null}`), false, http.StatusOK, 0, ""},
		{"repeated name", []byte(`{"changes":[` + change() + `],"changes":[` + change() + `,` + change() + `]}`), false, http.StatusOK, 2, ""},
		{"gzip", valid, true, http.StatusOK, 1, ""},
		{"one too many", []byte(`{"changes":[{},{},{},{}]}`), false, http.StatusRequestEntityTooLarge, 0, "at most 3 changes"},
		{"one too large", []byte(`{"changes":[` + change() + `,` + big + `]}`), false, http.StatusRequestEntityTooLarge, 0, "change 2 of the push is larger than"},
		{"one too large, then megabytes", []byte(`{"changes":[` + big + `,` + strings.Repeat(" ", 3900<<10) + `]}`), false, http.StatusRequestEntityTooLarge, 0, "change 1 of the push is larger than"},
		{"too much space", []byte(`{"changes":[` + change() + strings.Repeat(" ", server.MaxChangeBytes+1) + `]}`), false, http.StatusRequestEntityTooLarge, 0, "larger than"},
		{"bad checksum", corrupt, true, http.StatusBadRequest, 0, ""},
		{"not an array", []byte(`{"changes":"all"}`), false, http.StatusBadRequest, 0, ""},
		{"not an object", []byte(`[]`), false, http.StatusBadRequest, 0, ""},
		{"cut short", []byte(`{"changes":[` + change()), false, http.StatusBadRequest, 0, ""},
	} {
		req, _ := http.NewRequest("POST", e.http.URL+"/v1/sync/push", bytes.NewReader(tc.body))
		req.Header.Set("Authorization", "Bearer "+d.Token)
		if tc.gzip {
			req.Header.Set("Content-Encoding", "gzip")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status {
			t.Errorf("%s: status %d (%s), want %d", tc.name, resp.StatusCode, b, tc.status)
			continue
		}
		if tc.status == http.StatusOK {
			var pushed syncwire.PushResponse
			if err := json.Unmarshal(b, &pushed); err != nil || len(pushed.Accepted) != tc.accepted {
				t.Errorf("%s: %s, want %d accepted", tc.name, b, tc.accepted)
			}
			continue
		}
		var apiErr syncwire.Error
		if err := json.Unmarshal(b, &apiErr); err != nil || !strings.Contains(apiErr.Message, tc.message) {
			t.Errorf("%s: answer %s, want a message with %q", tc.name, b, tc.message)
		}
	}
}
