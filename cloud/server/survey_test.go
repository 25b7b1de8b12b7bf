package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/merci-loyalty/merci/cloud/internal/synctest"
	"github.com/merci-loyalty/merci/cloud/server"
	"github.com/merci-loyalty/merci/cloud/store"
	"github.com/merci-loyalty/merci/i18n"
	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/nps"
	"github.com/merci-loyalty/merci/syncwire"
)

// The scan of surveys by email, on each backend, emails only the invitation of a
// customer with an address and consent that the kiosk did not answer, and takes the
// others out for good.
func TestSurveyScanEmailsOnlyWhomItMay(t *testing.T) {
	synctest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		e := newEnv(t, dsn, server.Config{})
		till := e.shop("Café Lune")
		bought := time.Now().Add(-3 * time.Hour)
		e.push(till,
			synctest.Record(t, syncwire.TypeSetting, syncwire.SettingShop, map[string]any{"name": "Café Lune", "cloud_url": "https://cloud.example/c/" + till.ShopTag}),
			synctest.Record(t, syncwire.TypeSetting, syncwire.SettingNPS, syncwire.SurveySetting{EmailSurveys: true}))
		inviteAt := func(name, email string, consent, answered bool, lang nps.Lang, at time.Time) {
			t.Helper()
			cust := loyalty.Customer{ID: name, Name: name, Email: email, Consent: consent, CreatedAt: at}
			inv, err := nps.Policy{}.Invite(synctest.NewID(t), cust.ID, "", "till-1", at)
			if err != nil {
				t.Fatal(err)
			}
			changes := []syncwire.Change{synctest.Record(t, syncwire.TypeCustomer, cust.ID, cust), synctest.Record(t, "nps_invitation", inv.ID, inv)}
			if answered {
				r, err := inv.Answer(10, "", lang, false, at.Add(time.Minute))
				if err != nil {
					t.Fatal(err)
				}
				changes = append(changes, synctest.Record(t, "nps_response", r.ID, r))
			}
			if resp := e.push(till, changes...); len(resp.Accepted) != len(changes) {
				t.Fatalf("push: %+v", resp)
			}
		}
		invite := func(name, email string, consent, answered bool) {
			t.Helper()
			inviteAt(name, email, consent, answered, nps.English, bought)
		}
		// Bia answered on the tablet in Portuguese a week ago: her email is in Portuguese.
		inviteAt("bia", "bia@example.com", true, true, nps.BrazilianPortuguese, bought.Add(-7*24*time.Hour))
		invite("bia", "bia@example.com", true, false)
		invite("ana", "ana@example.com", true, false)
		invite("kiosk", "kiosk@example.com", true, true)
		invite("noconsent", "no@example.com", false, false)
		invite("noemail", "", true, false)

		if n, err := e.srv.SendDueSurveys(ctx, time.Now()); err != nil || n != 2 {
			t.Fatalf("SendDueSurveys = %d, %v; want 2", n, err)
		}
		due, err := e.db.DueEmails(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		subjects := map[string]string{}
		for _, m := range due {
			subjects[m.To] = m.Subject
		}
		want := map[string]string{"ana@example.com": i18n.English.T("surveymail.subject", "Café Lune"),
			"bia@example.com": i18n.Portuguese.T("surveymail.subject", "Café Lune")}
		if diff := cmp.Diff(want, subjects); diff != "" {
			t.Fatalf("queued subjects (-want +got):\n%s", diff)
		}
		sort.Slice(due, func(i, j int) bool { return due[i].To < due[j].To })
		if due[0].Unsubscribe == "" {
			t.Errorf("the email to %s has no unsubscribe address", due[0].To)
		}
		if n, err := e.srv.SendDueSurveys(ctx, time.Now()); err != nil || n != 0 {
			t.Errorf("a second scan = %d, %v; want nothing more", n, err)
		}

		// The mail program's own unsubscribe button (RFC 8058) withdraws the consent.
		path := strings.TrimPrefix(due[0].Unsubscribe, "https://cloud.example")
		resp, err := http.Post(e.http.URL+path, "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("POST %s: status %d", path, resp.StatusCode)
		}
		consent := map[string]bool{}
		for _, c := range e.pull(till, "cursor=0").Changes {
			if c.Type == syncwire.TypeCustomer {
				var cu loyalty.Customer
				if err := json.Unmarshal(c.Body, &cu); err != nil {
					t.Fatal(err)
				}
				consent[cu.ID] = cu.Consent
			}
		}
		if consent["ana"] || !consent["kiosk"] {
			t.Errorf("consents pulled after unsubscribing = %v, want ana's withdrawn and no other's", consent)
		}
		waiting, _, err := e.db.WaitingSurveys(ctx, store.SurveyCursor{}, 10)
		if err != nil || len(waiting) != 0 {
			t.Errorf("still waiting after the scan: %+v, %v", waiting, err)
		}
	})
}
