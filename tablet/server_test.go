package tablet_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/merci-loyalty/merci/i18n"
	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/tablet"
)

// counter is a demo shop's store with the tablet server on loopback.
type counter struct {
	store *localdb.Store
	srv   *tablet.Server
	web   *httptest.Server
}

func newCounter(t *testing.T) *counter {
	t.Helper()
	ctx := context.Background()
	store, err := localdb.Open(ctx, filepath.Join(t.TempDir(), "merci.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	if err := store.SeedSample(ctx, localdb.Shop{Name: "Café Merci", Demo: true}); err != nil {
		t.Fatal(err)
	}
	srv := tablet.New(store, i18n.English, slog.New(slog.DiscardHandler))
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { srv.Run(runCtx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	web := httptest.NewServer(srv)
	t.Cleanup(web.Close)
	return &counter{store: store, srv: srv, web: web}
}

// purchase records a purchase by the customer named name, as the counter's Credit does.
func (c *counter) purchase(t *testing.T, name string) {
	t.Helper()
	ctx := context.Background()
	found, err := c.store.SearchAccounts(ctx, name, 1)
	if err != nil || len(found) != 1 {
		t.Fatalf("SearchAccounts(%q) = %v, %v", name, found, err)
	}
	p, err := c.store.Program(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.store.RecordPurchase(ctx, found[0].Code(), func(a localdb.Account) (loyalty.Operation, error) {
		return p.Credit(loyalty.Origin{Device: c.store.Device(), At: c.store.Now()}, a.Card, 1290)
	}); err != nil {
		t.Fatal(err)
	}
}

// browser is a device with its own cookies.
func browser(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar}
}

func get(t *testing.T, c *http.Client, url string) (int, string) {
	t.Helper()
	r, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	return r.StatusCode, string(b)
}

type pageState struct {
	Version  int    `json:"version"`
	Step     string `json:"step"`
	Question string `json:"question"`
}

// next long-polls the state newer than after, as the page does.
func next(t *testing.T, c *http.Client, base string, after int) pageState {
	t.Helper()
	code, body := get(t, c, base+"/state?after="+itoa(after))
	if code != http.StatusOK {
		t.Fatalf("GET /state = %d %s", code, body)
	}
	var st pageState
	if err := json.Unmarshal([]byte(body), &st); err != nil {
		t.Fatal(err)
	}
	return st
}

func itoa(n int) string { return strconv.Itoa(n) }

func post(t *testing.T, c *http.Client, base, body string) {
	t.Helper()
	r, err := c.Post(base+"/act", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusNoContent {
		t.Fatalf("POST /act %s = %d", body, r.StatusCode)
	}
}

func TestPairAnswerRevoke(t *testing.T) {
	c := newCounter(t)
	ctx := context.Background()
	tab, stranger := browser(t), browser(t)
	base := c.web.URL

	for _, path := range []string{"/", "/page.js", "/state", "/manifest.webmanifest"} {
		if code, body := get(t, stranger, base+path); code != http.StatusUnauthorized || strings.Contains(body, "Merci") {
			t.Errorf("unpaired GET %s = %d %q, want 401 and nothing of the shop", path, code, body)
		}
	}
	code, err := c.srv.NewPairingCode()
	if err != nil {
		t.Fatal(err)
	}
	if status, _ := get(t, stranger, base+"/pair?code=wrong"); status != http.StatusUnauthorized {
		t.Errorf("pair with a wrong code = %d, want 401", status)
	}
	if status, body := get(t, tab, tablet.PairURL(base, code)); status != http.StatusOK || !strings.Contains(body, "page.js") {
		t.Fatalf("pair = %d %q, want the page", status, body)
	}
	if status, _ := get(t, stranger, tablet.PairURL(base, code)); status != http.StatusUnauthorized {
		t.Errorf("second use of a pairing code = %d, want 401", status)
	}

	st := next(t, tab, base, 0)
	if st.Step != "idle" {
		t.Fatalf("first state: step %q, want idle", st.Step)
	}
	c.purchase(t, "Alice")
	st = next(t, tab, base, st.Version)
	if st.Step != "score" || !strings.Contains(st.Question, "Café Merci") {
		t.Fatalf("after a purchase: %+v, want the question naming the shop", st)
	}
	post(t, tab, base, `{"do":"lang","lang":"fr"}`)
	post(t, tab, base, `{"do":"score","score":9}`)
	post(t, tab, base, `{"do":"send","text":"Très bon accueil"}`)
	rs, err := c.store.Responses(ctx, localdb.ResponseFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 1 || rs[0].Score != 9 || rs[0].Comment != "Très bon accueil" || rs[0].Lang != "fr" {
		t.Fatalf("responses = %+v, want one 9 in French with its reason", rs)
	}

	tablets, err := c.store.Tablets(ctx)
	if err != nil || len(tablets) != 1 {
		t.Fatalf("Tablets = %v, %v; want the one paired", tablets, err)
	}
	if err := c.store.RevokeTablet(ctx, tablets[0].ID); err != nil {
		t.Fatal(err)
	}
	if status, _ := get(t, tab, base+"/state"); status != http.StatusUnauthorized {
		t.Errorf("revoked tablet GET /state = %d, want 401", status)
	}
}

// A photo the counter cannot read tells the customer on the welcome screen; a camera
// frame that is not a picture is the page's bug, refused.
func TestScanUnreadablePicture(t *testing.T) {
	c := newCounter(t)
	tab := browser(t)
	code, err := c.srv.NewPairingCode()
	if err != nil {
		t.Fatal(err)
	}
	if status, _ := get(t, tab, tablet.PairURL(c.web.URL, code)); status != http.StatusOK {
		t.Fatalf("pair = %d", status)
	}
	st := next(t, tab, c.web.URL, 0)
	scan := func(query string) int {
		r, err := tab.Post(c.web.URL+"/scan"+query, "image/heic", strings.NewReader("not a picture"))
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		return r.StatusCode
	}
	if status := scan(""); status != http.StatusBadRequest {
		t.Errorf("a frame that is not a picture = %d, want 400", status)
	}
	if status := scan("?photo=1"); status != http.StatusOK {
		t.Errorf("a photo that is not a picture = %d, want 200", status)
	}
	code2, body := get(t, tab, c.web.URL+"/state?after="+itoa(st.Version))
	if want := i18n.English.T("tablet.no_code"); code2 != http.StatusOK || !strings.Contains(body, want) {
		t.Errorf("state after an unreadable photo = %d %s, want the notice %q", code2, body, want)
	}
}
