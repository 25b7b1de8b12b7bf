package mailer_test

import (
	"context"
	"strings"
	"testing"

	"github.com/merci-loyalty/merci/cloud/internal/smtptest"
	"github.com/merci-loyalty/merci/cloud/mailer"
	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/localdb/localdbtest"
)

// A card's link emailed from the counter ("Send the card") reaches the customer whole:
// the counter queues the email, the change travels to the cloud as the follow-up emails
// do, and the customer's mail program decodes the link the counter wrote.
func TestCardLinkReachesTheCustomer(t *testing.T) {
	smtp := smtptest.Start(t)
	db, dev, m := setup(t, smtp, mailer.Config{})
	ctx := context.Background()
	counter := localdbtest.Open(t, localdb.Shop{Name: "Café Lune", CloudURL: "https://cloud.cafe-lune.example/c/cafe-lune-paris"})
	found, err := counter.SearchAccounts(ctx, "alice@example.com", 1)
	if err != nil || len(found) != 1 {
		t.Fatalf("SearchAccounts = %v, %v", found, err)
	}
	link, err := counter.CardLink(ctx, found[0])
	if err != nil {
		t.Fatal(err)
	}
	text := "Bonjour Alice,\n\nVoici votre carte de fidélité Café Lune, à garder sur votre téléphone : montrez son QR code en caisse.\n\n" + link + "\n\nÀ bientôt !"
	if _, err := counter.QueueEmail(ctx, localdb.Email{To: found[0].Customer.Email, Subject: "Votre carte de fidélité Café Lune", Text: text}); err != nil {
		t.Fatal(err)
	}
	queued, err := counter.Outgoing(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range queued {
		if q.Type == localdb.TypeEmail {
			q.Device = dev.ID
			push(t, db, dev, q.Change)
		}
	}
	if _, err := m.SendDue(ctx); err != nil {
		t.Fatalf("SendDue: %v", err)
	}
	got := smtp.Received()
	if len(got) != 1 {
		t.Fatalf("the SMTP server received %d messages, want 1", len(got))
	}
	_, decoded, err := smtptest.Read(got[0])
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(decoded, link) || !strings.Contains(decoded, "fidélité") {
		t.Errorf("the customer reads:\n%s\nwant the card's link %s, and the accents", decoded, link)
	}
}
