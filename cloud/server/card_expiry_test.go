package server_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/merci-loyalty/merci/cards"
	"github.com/merci-loyalty/merci/cloud/internal/synctest"
	"github.com/merci-loyalty/merci/cloud/server"
	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/syncwire"
)

// The card page says what expires next, and when, and leaves out of the balance what
// is due to expire though no device has recorded its expiry yet.
func TestCardPageSaysWhatExpires(t *testing.T) {
	synctest.ForEach(t, func(t *testing.T, dsn string) {
		now := time.Date(2027, 3, 10, 15, 0, 0, 0, time.UTC)
		e := newEnv(t, dsn, server.Config{Now: func() time.Time { return now }})
		a := e.shop("Café Lune")
		prog := loyalty.Program{Currency: "EUR", PointsPerUnit: 1, ExpiryMonths: 12}
		code, err := cards.NewCode()
		if err != nil {
			t.Fatal(err)
		}
		credit := func(customer string, at time.Time, points int64) syncwire.Change {
			c := synctest.Op(t, customer, 0)
			var op loyalty.Operation
			json.Unmarshal(c.Body, &op)
			op.Kind, op.Amount, op.Currency, op.At = loyalty.KindCredit, loyalty.Money(points*100), "EUR", at
			op.Delta = loyalty.Delta{Points: points}
			c.Body, _ = json.Marshal(op)
			return c
		}
		e.push(a,
			synctest.Record(t, syncwire.TypeSetting, syncwire.SettingProgram, prog),
			synctest.Record(t, syncwire.TypeCard, string(code), loyalty.Card{Code: string(code), CustomerID: "cust_1", Status: loyalty.CardActive}),
			credit("cust_1", time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC), 120), // expired on Feb 1, 2027
			credit("cust_1", time.Date(2026, 3, 5, 12, 0, 0, 0, time.UTC), 30),   // expires on Apr 1, 2027
			credit("cust%1", time.Date(2026, 3, 5, 12, 0, 0, 0, time.UTC), 7),    // another customer's, whose id a LIKE would match
		)
		resp, err := http.Get(e.http.URL + "/c/" + a.ShopTag + "/" + string(code))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		page := string(body)
		for _, want := range []string{">30<", "30 points expire on Apr 1, 2027"} {
			if !strings.Contains(page, want) {
				t.Errorf("card page lacks %q", want)
			}
		}
	})
}
