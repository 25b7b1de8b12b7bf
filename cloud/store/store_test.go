package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/merci-loyalty/merci/cloud/internal/pgtest"
	"github.com/merci-loyalty/merci/cloud/internal/synctest"
	"github.com/merci-loyalty/merci/cloud/store"
	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/syncwire"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func mustOpen(t testing.TB, dsn string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// mustDevice creates a shop and enrolls its owner device.
func mustDevice(t testing.TB, db *store.DB, shopName string) store.Device {
	t.Helper()
	_, code, err := db.CreateShop(context.Background(), shopName)
	if err != nil {
		t.Fatalf("CreateShop: %v", err)
	}
	dev, _, _, err := db.Enroll(context.Background(), code.Code, "till")
	if err != nil {
		t.Fatalf("Enroll: %v", err)
	}
	return dev
}

// mustTill enrolls a till named name in owner's shop.
func mustTill(t testing.TB, db *store.DB, owner store.Device, name string) store.Device {
	t.Helper()
	code, err := db.NewCode(context.Background(), owner.ShopID, syncwire.RoleTill)
	if err != nil {
		t.Fatalf("NewCode: %v", err)
	}
	dev, _, _, err := db.Enroll(context.Background(), code.Code, name)
	if err != nil {
		t.Fatalf("Enroll: %v", err)
	}
	return dev
}

func mustPush(t testing.TB, db *store.DB, dev store.Device, changes ...syncwire.Change) syncwire.PushResponse {
	t.Helper()
	resp, err := db.Push(context.Background(), dev, changes)
	if err != nil {
		t.Fatalf("Push: %v", err)
	}
	return resp
}

func ids(changes []syncwire.Change) []string {
	out := []string{}
	for _, c := range changes {
		out = append(out, c.ID)
	}
	return out
}

func TestEnroll(t *testing.T) {
	synctest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := mustOpen(t, dsn)
		shop, code, err := db.CreateShop(ctx, "Café Lune")
		if err != nil {
			t.Fatalf("CreateShop: %v", err)
		}
		// Typed in lower case, without dashes, with O for 0: still the code.
		typed := normalizeTyped(code.Code)
		owner, gotShop, token, err := db.Enroll(ctx, typed, "Till 1")
		if err != nil {
			t.Fatalf("Enroll(%q): %v", typed, err)
		}
		if !owner.Owner || gotShop.ID != shop.ID || gotShop.Name != "Café Lune" {
			t.Errorf("Enroll = owner %v shop %+v, want the owner of %+v", owner.Owner, gotShop, shop)
		}
		if len(token) < 40 {
			t.Errorf("token %d characters long, want at least 128 bits", len(token))
		}
		if _, _, _, err := db.Enroll(ctx, code.Code, "Till 2"); !errors.Is(err, store.ErrUnauthorized) {
			t.Errorf("Enroll with a used code: %v, want ErrUnauthorized", err)
		}
		dev, err := db.Authenticate(ctx, token)
		if err != nil || dev.ID != owner.ID || dev.ShopID != shop.ID {
			t.Fatalf("Authenticate = %+v, %v, want device %s", dev, err, owner.ID)
		}

		second, err := db.NewCode(ctx, shop.ID, syncwire.RoleTill)
		if err != nil {
			t.Fatalf("NewCode: %v", err)
		}
		till, _, tillToken, err := db.Enroll(ctx, second.Code, "Till 2")
		if err != nil || till.Owner {
			t.Fatalf("Enroll second device = owner %v, %v; want a plain device", till.Owner, err)
		}
		for _, forged := range []string{"", "mct_", tillToken + "x", "mct_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"} {
			if _, err := db.Authenticate(ctx, forged); !errors.Is(err, store.ErrUnauthorized) {
				t.Errorf("Authenticate(%q) = %v, want ErrUnauthorized", forged, err)
			}
		}
		if err := db.Revoke(ctx, shop.ID, till.ID); err != nil {
			t.Fatalf("Revoke: %v", err)
		}
		if _, err := db.Authenticate(ctx, tillToken); !errors.Is(err, store.ErrUnauthorized) {
			t.Errorf("Authenticate(revoked) = %v, want ErrUnauthorized", err)
		}
		devs, err := db.Devices(ctx, shop.ID)
		if err != nil || len(devs) != 2 || devs[0].RevokedAt != nil || devs[1].RevokedAt == nil {
			t.Errorf("Devices = %+v, %v; want the owner, then the revoked till", devs, err)
		}

		other := mustDevice(t, db, "Other shop")
		if err := db.Revoke(ctx, other.ShopID, owner.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Revoke of another shop's device = %v, want ErrNotFound", err)
		}

		expiring, err := db.NewCode(ctx, shop.ID, syncwire.RoleTill)
		if err != nil {
			t.Fatal(err)
		}
		db.Now = func() time.Time { return time.Now().Add(store.CodeLifetime + time.Minute) }
		if _, _, _, err := db.Enroll(ctx, expiring.Code, "Late"); !errors.Is(err, store.ErrUnauthorized) {
			t.Errorf("Enroll with an expired code: %v, want ErrUnauthorized", err)
		}
	})
}

func normalizeTyped(code string) string {
	out := []rune{}
	for _, r := range code {
		switch {
		case r == '-':
		case r == '0':
			out = append(out, 'o')
		case r >= 'A' && r <= 'Z':
			out = append(out, r+'a'-'A')
		default:
			out = append(out, r)
		}
	}
	return string(out)
}

func TestPushIsIdempotent(t *testing.T) {
	synctest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := mustOpen(t, dsn)
		dev := mustDevice(t, db, "Shop")
		batch := []syncwire.Change{synctest.Op(t, "c1", 10), synctest.Op(t, "c1", 5), synctest.Op(t, "c2", 7)}
		first := mustPush(t, db, dev, batch...)
		want := syncwire.PushResponse{Accepted: ids(batch), Duplicate: []string{}, Rejected: []syncwire.Rejection{}, Version: 3, Epoch: db.Epoch()}
		if diff := cmp.Diff(want, first); diff != "" {
			t.Errorf("first push (-want +got):\n%s", diff)
		}
		// The response was lost: the device pushes the same batch again.
		again := mustPush(t, db, dev, batch...)
		want = syncwire.PushResponse{Accepted: []string{}, Duplicate: ids(batch), Rejected: []syncwire.Rejection{}, Version: 3, Epoch: db.Epoch()}
		if diff := cmp.Diff(want, again); diff != "" {
			t.Errorf("repeated push (-want +got):\n%s", diff)
		}
		b, err := db.Balance(ctx, dev.ShopID, "c1")
		if err != nil || b.Points != 15 {
			t.Errorf("Balance(c1) = %+v, %v; want 15 points", b, err)
		}

		// The same id with another body is a conflict, and changes nothing.
		forged := synctest.Op(t, "c1", 1000)
		forged.ID, forged.Key = batch[0].ID, batch[0].ID
		resp := mustPush(t, db, dev, forged)
		if len(resp.Rejected) != 1 || resp.Rejected[0].Code != syncwire.CodeConflict || resp.Version != 3 {
			t.Errorf("push of a reused id = %+v, want one conflict at version 3", resp)
		}
		if b, _ := db.Balance(ctx, dev.ShopID, "c1"); b.Points != 15 {
			t.Errorf("Balance(c1) after a conflict = %d, want 15", b.Points)
		}
		// White space does not make a different change.
		spaced := batch[1]
		spaced.Body = append([]byte("  "), spaced.Body...)
		if resp := mustPush(t, db, dev, spaced); len(resp.Duplicate) != 1 {
			t.Errorf("push with extra white space = %+v, want a duplicate", resp)
		}
	})
}

func TestPushRejects(t *testing.T) {
	synctest.ForEach(t, func(t *testing.T, dsn string) {
		db := mustOpen(t, dsn)
		dev := mustDevice(t, db, "Shop")
		good := synctest.Op(t, "c1", 10)
		noCustomer := synctest.Op(t, "", 5)
		wrongKey := synctest.Op(t, "c1", 5)
		wrongKey.Key = synctest.NewID(t)
		notObject := synctest.Change(t, synctest.NewID(t), "note", "k", []int{1, 2})
		badType := synctest.Change(t, synctest.NewID(t), "Bad-Type", "k", map[string]int{})
		serverOnly := synctest.Change(t, synctest.NewID(t), syncwire.TypeEmailStatus, "e1", syncwire.EmailStatus{Status: "sent"})
		badProgram := synctest.Change(t, synctest.NewID(t), syncwire.TypeSetting, syncwire.SettingProgram, loyalty.Program{Currency: "euro"})
		badEmail := synctest.Change(t, synctest.NewID(t), syncwire.TypeEmail, "e1", syncwire.Email{To: "not an address", Subject: "Hi", Text: "x"})
		cardKey := synctest.Change(t, synctest.NewID(t), syncwire.TypeCard, "AAAA", loyalty.Card{Code: "BBBB", CustomerID: "c1", Status: loyalty.CardActive})
		badID := synctest.Change(t, "not-a-uuid", "note", "k", map[string]int{})
		unknown := synctest.Change(t, synctest.NewID(t), "nps_response", "r1", map[string]any{"score": 9})
		batch := []syncwire.Change{good, noCustomer, wrongKey, notObject, badType, serverOnly, badProgram, badEmail, cardKey, badID, unknown}
		resp := mustPush(t, db, dev, batch...)
		if diff := cmp.Diff([]string{good.ID, unknown.ID}, resp.Accepted); diff != "" {
			t.Errorf("accepted (-want +got):\n%s", diff)
		}
		var rejected []string
		for _, r := range resp.Rejected {
			rejected = append(rejected, r.ID)
			if r.Code != syncwire.CodeInvalid || r.Reason == "" {
				t.Errorf("rejection %+v, want code invalid with a reason", r)
			}
		}
		if diff := cmp.Diff(ids(batch[1:len(batch)-1]), rejected); diff != "" {
			t.Errorf("rejected (-want +got):\n%s", diff)
		}
		if resp.Version != 2 {
			t.Errorf("version = %d, want 2: rejections take no version", resp.Version)
		}
		// A rejected change pushed again gets the same answer: it never blocks the queue.
		again := mustPush(t, db, dev, noCustomer)
		if len(again.Rejected) != 1 || again.Rejected[0] != resp.Rejected[0] {
			t.Errorf("repeated rejected change = %+v, want %+v", again.Rejected, resp.Rejected[0])
		}
	})
}

func TestPullPagesAndResumes(t *testing.T) {
	synctest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := mustOpen(t, dsn)
		dev := mustDevice(t, db, "Shop")
		var pushed []syncwire.Change
		for i := range 25 {
			pushed = append(pushed, synctest.Op(t, fmt.Sprintf("c%d", i%3), 1))
		}
		mustPush(t, db, dev, pushed...)
		var got []string
		cursor := int64(0)
		for pages := 0; ; pages++ {
			if pages > 3 {
				t.Fatalf("more than 3 pages of 10 for 25 changes")
			}
			resp, err := db.Pull(ctx, dev.ShopID, cursor, 10)
			if err != nil {
				t.Fatalf("Pull(%d): %v", cursor, err)
			}
			for _, c := range resp.Changes {
				got = append(got, c.ID)
			}
			cursor = resp.Cursor
			if !resp.More {
				break
			}
		}
		if diff := cmp.Diff(ids(pushed), got); diff != "" {
			t.Errorf("pulled ids (-want +got):\n%s", diff)
		}
		if cursor != 25 {
			t.Errorf("final cursor = %d, want 25", cursor)
		}
		resp, err := db.Pull(ctx, dev.ShopID, cursor, 10)
		if err != nil || len(resp.Changes) != 0 || resp.Cursor != 25 {
			t.Errorf("Pull(25) = %+v, %v; want nothing, cursor 25", resp, err)
		}
		first, _ := db.Pull(ctx, dev.ShopID, 0, 1)
		if diff := cmp.Diff(pushed[0].Body, first.Changes[0].Body); diff != "" || !first.Changes[0].At.Equal(synctest.At) {
			t.Errorf("pulled change differs from pushed (-want +got):\n%s", diff)
		}
		if first.Changes[0].Device != dev.ID {
			t.Errorf("pulled Device = %q, want the pushing device %q", first.Changes[0].Device, dev.ID)
		}
	})
}

// A page of large records stops at MaxPullBytes, and the cursor still goes through
// every record.
func TestPullPagesAreBoundedInBytes(t *testing.T) {
	synctest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := mustOpen(t, dsn)
		dev := mustDevice(t, db, "Shop")
		text := strings.Repeat("m", 60<<10)
		var pushed []syncwire.Change
		for i := range 40 {
			pushed = append(pushed, synctest.Record(t, "note", fmt.Sprint("note-", i), map[string]string{"text": text}))
		}
		mustPush(t, db, dev, pushed...)
		var got []string
		pages := 0
		for cursor := int64(0); ; pages++ {
			resp, err := db.Pull(ctx, dev.ShopID, cursor, store.MaxPullLimit)
			if err != nil {
				t.Fatalf("Pull(%d): %v", cursor, err)
			}
			size := 0
			for _, c := range resp.Changes {
				got = append(got, c.ID)
				size += len(c.Body)
			}
			if size > store.MaxPullBytes {
				t.Errorf("page %d: %d bytes of bodies, want at most %d", pages, size, store.MaxPullBytes)
			}
			cursor = resp.Cursor
			if !resp.More {
				break
			}
		}
		if diff := cmp.Diff(ids(pushed), got); diff != "" {
			t.Errorf("pulled ids (-want +got):\n%s", diff)
		}
		// 40 records of 60 KiB in pages of at most 1 MiB.
		if want := 3; pages+1 != want {
			t.Errorf("%d pages, want %d", pages+1, want)
		}
	})
}

func TestRecordsLastWriterWins(t *testing.T) {
	synctest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := mustOpen(t, dsn)
		dev := mustDevice(t, db, "Shop")
		v1 := synctest.Change(t, synctest.NewID(t), syncwire.TypeCustomer, "cu1", loyalty.Customer{ID: "cu1", Name: "Ana"})
		v2 := synctest.Change(t, synctest.NewID(t), syncwire.TypeCustomer, "cu1", loyalty.Customer{ID: "cu1", Name: "Ana Lima"})
		// The device clock of v2 is older: server order wins all the same.
		v2.At = synctest.At.Add(-time.Hour)
		mustPush(t, db, dev, v1)
		mustPush(t, db, dev, v2)
		resp, err := db.Pull(ctx, dev.ShopID, 0, 100)
		if err != nil || len(resp.Changes) != 1 || resp.Changes[0].ID != v2.ID {
			t.Errorf("Pull = %+v, %v; want only the later value %s", resp.Changes, err, v2.ID)
		}
	})
}

func TestShopsAreIsolated(t *testing.T) {
	synctest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := mustOpen(t, dsn)
		a, b := mustDevice(t, db, "A"), mustDevice(t, db, "B")
		op := synctest.Op(t, "c1", 10)
		mustPush(t, db, a, op)
		// B pushing A's change id learns nothing: it is a new change of B.
		if resp := mustPush(t, db, b, op); len(resp.Accepted) != 1 {
			t.Errorf("B pushing A's id = %+v, want accepted in B", resp)
		}
		mustPush(t, db, b, synctest.Op(t, "c1", -50))
		if bal, _ := db.Balance(ctx, a.ShopID, "c1"); bal.Points != 10 {
			t.Errorf("A's balance = %d, want 10", bal.Points)
		}
		if list, _ := db.Overdrawn(ctx, a.ShopID); len(list) != 0 {
			t.Errorf("A's overdrawn = %+v, want none", list)
		}
		resp, _ := db.Pull(ctx, a.ShopID, 0, 100)
		if len(resp.Changes) != 1 || resp.Changes[0].ID != op.ID {
			t.Errorf("A pulls %d changes, want only its own", len(resp.Changes))
		}
		card := synctest.Change(t, synctest.NewID(t), syncwire.TypeCard, "K7QM2XRT9PC", loyalty.Card{Code: "K7QM2XRT9PC", CustomerID: "c1", Status: loyalty.CardActive})
		mustPush(t, db, a, card)
		// The same code in B is B's own card: B learns nothing of A's, and takes nothing.
		theft := synctest.Change(t, synctest.NewID(t), syncwire.TypeCard, "K7QM2XRT9PC", loyalty.Card{Code: "K7QM2XRT9PC", CustomerID: "evil", Status: loyalty.CardActive})
		if resp := mustPush(t, db, b, theft); len(resp.Accepted) != 1 {
			t.Errorf("B pushing a card of A's code = %+v, want accepted as B's own", resp)
		}
		view, err := db.Card(ctx, tagOf(t, db, a.ShopID), "K7QM2XRT9PC")
		if err != nil || view.ShopName != "A" || view.Balance.Points != 10 {
			t.Errorf("Card = %+v, %v; want A's card with 10 points", view, err)
		}
	})
}

// tagOf returns the card page tag of shopID.
func tagOf(t testing.TB, db *store.DB, shopID string) string {
	t.Helper()
	shops, err := db.Shops(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range shops {
		if s.ID == shopID {
			return s.Tag
		}
	}
	t.Fatalf("no shop %s", shopID)
	return ""
}

func TestOverdrawnIsFlaggedNotDropped(t *testing.T) {
	synctest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := mustOpen(t, dsn)
		dev := mustDevice(t, db, "Shop")
		mustPush(t, db, dev, synctest.Op(t, "c1", 100))
		// Two tills redeemed 80 points each while offline.
		r1, r2 := synctest.Op(t, "c1", -80), synctest.Op(t, "c1", -80)
		resp := mustPush(t, db, dev, r1, r2)
		if len(resp.Accepted) != 2 {
			t.Fatalf("push = %+v, want both redemptions accepted", resp)
		}
		bal, _ := db.Balance(ctx, dev.ShopID, "c1")
		if bal.Points != -60 {
			t.Errorf("balance = %d, want -60", bal.Points)
		}
		list, err := db.Overdrawn(ctx, dev.ShopID)
		if err != nil || len(list) != 1 || list[0].OpID != r2.ID || list[0].Points != -60 || list[0].CustomerID != "c1" {
			t.Errorf("Overdrawn = %+v, %v; want %s at -60", list, err, r2.ID)
		}
	})
}

func TestConcurrentPushesLeaveNoGap(t *testing.T) {
	synctest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := mustOpen(t, dsn)
		dev := mustDevice(t, db, "Shop")
		const writers, each = 8, 20
		var wg sync.WaitGroup
		errs := make(chan error, writers)
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range each {
					if _, err := db.Push(ctx, dev, []syncwire.Change{synctest.Op(t, fmt.Sprintf("c%d", w), 1)}); err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		// A reader following along must never skip a change that commits late.
		seen := map[string]bool{}
		cursor := int64(0)
		for done := false; !done; {
			select {
			case err := <-errs:
				t.Fatalf("Push: %v", err)
			default:
			}
			resp, err := db.Pull(ctx, dev.ShopID, cursor, 7)
			if err != nil {
				t.Fatalf("Pull: %v", err)
			}
			for _, c := range resp.Changes {
				seen[c.ID] = true
			}
			cursor = resp.Cursor
			done = cursor == writers*each && !resp.More
		}
		wg.Wait()
		if len(seen) != writers*each {
			t.Errorf("reader saw %d changes, want %d", len(seen), writers*each)
		}
	})
}

func TestEpoch(t *testing.T) {
	synctest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := mustOpen(t, dsn)
		first := db.Epoch()
		db.Close()
		db = mustOpen(t, dsn)
		if db.Epoch() != first || len(first) != 32 {
			t.Errorf("reopened epoch = %q, want %q", db.Epoch(), first)
		}
		rotated, err := db.RotateEpoch(ctx)
		if err != nil || rotated == first || db.Epoch() != rotated {
			t.Errorf("RotateEpoch = %q, %v; want a new epoch", rotated, err)
		}
		dev := mustDevice(t, db, "Shop")
		if resp := mustPush(t, db, dev, synctest.Op(t, "c", 1)); resp.Epoch != rotated {
			t.Errorf("push epoch = %q, want %q", resp.Epoch, rotated)
		}
	})
}

func TestSubscribeWakesOnPush(t *testing.T) {
	synctest.ForEach(t, func(t *testing.T, dsn string) {
		db := mustOpen(t, dsn)
		pushers := []*store.DB{db}
		if strings.HasPrefix(dsn, "postgres") {
			// Separate processes on one SQLite file do not wake each other: one server per file.
			pushers = append(pushers, mustOpen(t, dsn))
		}
		// On PostgreSQL a second handle stands for another server process.
		for _, pusher := range pushers {
			// Fresh shops: a late notification of an earlier push may still arrive.
			dev, otherShop, lastShop := mustDevice(t, db, "Shop"), mustDevice(t, db, "Other"), mustDevice(t, db, "Last")
			ch, cancel := db.Subscribe(dev.ShopID)
			last, cancelLast := db.Subscribe(lastShop.ShopID)
			mustPush(t, pusher, otherShop, synctest.Op(t, "c", 1))
			// Notifications are handed out in order: once the push after it woke its
			// shop, the other shop's push has woken whom it wakes.
			mustPush(t, pusher, lastShop, synctest.Op(t, "c", 1))
			wake(t, last, "the last shop")
			select {
			case <-ch:
				t.Errorf("woken by another shop's push")
			default:
			}
			mustPush(t, pusher, dev, synctest.Op(t, "c", 1))
			wake(t, ch, "the shop")
			cancel()
			cancelLast()
		}
	})
}

// wake waits for a wake-up on ch after a push to whose shop.
func wake(t *testing.T, ch <-chan struct{}, whose string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(time.Minute): // a failure bound only
		t.Fatalf("no wake-up of %s a minute after its push", whose)
	}
}

func TestOutboxSendsEachEmailOnce(t *testing.T) {
	synctest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := mustOpen(t, dsn)
		dev := mustDevice(t, db, "Shop")
		// The devices' rule: a display name around the address is refused, not stripped.
		named := synctest.Change(t, synctest.NewID(t), syncwire.TypeEmail, "mail-0", syncwire.Email{To: "Ana <ana@example.com>", Subject: "Thanks", Text: "Rate us"})
		if resp := mustPush(t, db, dev, named); len(resp.Rejected) != 1 || resp.Rejected[0].Code != syncwire.CodeInvalid {
			t.Errorf("push of an email to %q = %+v, want it rejected as invalid", "Ana <ana@example.com>", resp)
		}
		email := synctest.Change(t, synctest.NewID(t), syncwire.TypeEmail, "mail-1", syncwire.Email{To: "ana@example.com", Subject: "Thanks", Text: "Rate us"})
		mustPush(t, db, dev, email)
		mustPush(t, db, dev, email)
		// A new version of the same email record does not queue it again.
		edited := synctest.Change(t, synctest.NewID(t), syncwire.TypeEmail, "mail-1", syncwire.Email{To: "ana@example.com", Subject: "Thanks!", Text: "Rate us"})
		mustPush(t, db, dev, edited)
		due, err := db.DueEmails(ctx, 10)
		want := []store.OutboxEmail{{ShopID: dev.ShopID, ID: "mail-1", To: "ana@example.com", Subject: "Thanks", Text: "Rate us"}}
		if diff := cmp.Diff(want, due); err != nil || diff != "" {
			t.Fatalf("DueEmails (-want +got):\n%s %v", diff, err)
		}
		ok, err := db.ClaimEmail(ctx, due[0], time.Minute)
		if err != nil || !ok {
			t.Fatalf("ClaimEmail = %v, %v; want claimed", ok, err)
		}
		if ok, _ := db.ClaimEmail(ctx, due[0], time.Minute); ok {
			t.Errorf("second ClaimEmail succeeded, want refused")
		}
		sent := synctest.At
		if err := db.FinishEmail(ctx, due[0], syncwire.EmailStatus{Status: syncwire.EmailSent, Attempts: 1, SentAt: &sent}, synctest.At); err != nil {
			t.Fatalf("FinishEmail: %v", err)
		}
		if due, _ := db.DueEmails(ctx, 10); len(due) != 0 {
			t.Errorf("DueEmails after sending = %+v, want none", due)
		}
		resp, _ := db.Pull(ctx, dev.ShopID, 0, 100)
		last := resp.Changes[len(resp.Changes)-1]
		if last.Type != syncwire.TypeEmailStatus || last.Key != "mail-1" || last.Device != store.ServerDevice {
			t.Errorf("last pulled change = %+v, want the email's status", last)
		}
	})
}

func TestOutboxNeverResendsAfterACrash(t *testing.T) {
	synctest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := mustOpen(t, dsn)
		dev := mustDevice(t, db, "Shop")
		mustPush(t, db, dev, synctest.Change(t, synctest.NewID(t), syncwire.TypeEmail, "m", syncwire.Email{To: "a@example.com", Subject: "S", Text: "T"}))
		due, _ := db.DueEmails(ctx, 10)
		if ok, err := db.ClaimEmail(ctx, due[0], time.Second); !ok || err != nil {
			t.Fatalf("ClaimEmail = %v, %v", ok, err)
		}
		// The process died while sending; later the lease has run out.
		db.Now = func() time.Time { return time.Now().Add(time.Minute) }
		n, err := db.ExpireSending(ctx)
		if err != nil || n != 1 {
			t.Fatalf("ExpireSending = %d, %v; want 1", n, err)
		}
		if due, _ := db.DueEmails(ctx, 10); len(due) != 0 {
			t.Errorf("DueEmails after a crash = %+v, want none: it may have been sent", due)
		}
		resp, _ := db.Pull(ctx, dev.ShopID, 0, 100)
		var st syncwire.EmailStatus
		json.Unmarshal(resp.Changes[len(resp.Changes)-1].Body, &st)
		if st.Status != syncwire.EmailUnknown {
			t.Errorf("status = %q, want %q", st.Status, syncwire.EmailUnknown)
		}
	})
}

func TestConcurrentRetriesApplyOnce(t *testing.T) {
	synctest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := mustOpen(t, dsn)
		dev := mustDevice(t, db, "Shop")
		var batch []syncwire.Change
		for range 50 {
			batch = append(batch, synctest.Op(t, "c1", 2))
		}
		// A client timed out and retried while its first push was still running.
		var wg sync.WaitGroup
		accepted := make(chan int, 4)
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				resp, err := db.Push(ctx, dev, batch)
				if err != nil {
					t.Errorf("Push: %v", err)
				}
				accepted <- len(resp.Accepted)
			}()
		}
		wg.Wait()
		close(accepted)
		total := 0
		for n := range accepted {
			total += n
		}
		if total != 50 {
			t.Errorf("accepted %d changes over 4 concurrent pushes of the same 50, want 50", total)
		}
		if b, _ := db.Balance(ctx, dev.ShopID, "c1"); b.Points != 100 {
			t.Errorf("balance = %d, want 100", b.Points)
		}
	})
}

func TestHostileChangesAreRejectedOnBothDatabases(t *testing.T) {
	synctest.ForEach(t, func(t *testing.T, dsn string) {
		db := mustOpen(t, dsn)
		dev := mustDevice(t, db, "Shop")
		nulKey := synctest.Change(t, synctest.NewID(t), "note", "a\x00b", map[string]int{})
		badUTF8Key := synctest.Change(t, synctest.NewID(t), "note", "a\xffb", map[string]int{})
		nulType := synctest.Change(t, synctest.NewID(t), "no\x00te", "k", map[string]int{})
		nulCustomer := synctest.Op(t, "c\x00", 1)
		badUTF8Body := synctest.Change(t, synctest.NewID(t), "note", "k", map[string]int{})
		badUTF8Body.Body = []byte("{\"a\":\"\xff\"}")
		huge := synctest.Change(t, synctest.NewID(t), "note", "k", map[string]string{"x": strings.Repeat("x", store.MaxBodyBytes)})
		longKey := synctest.Change(t, synctest.NewID(t), "note", strings.Repeat("k", store.MaxKeyBytes+1), map[string]int{})
		noTime := synctest.Op(t, "c", 1)
		noTime.At = time.Time{}
		batch := []syncwire.Change{nulKey, badUTF8Key, nulType, nulCustomer, badUTF8Body, huge, longKey, noTime}
		resp := mustPush(t, db, dev, batch...)
		if len(resp.Rejected) != len(batch) || len(resp.Accepted) != 0 {
			t.Errorf("Push = %d accepted, %d rejected; want all %d rejected: %+v", len(resp.Accepted), len(resp.Rejected), len(batch), resp)
		}
		// And again: the kept rejections are read back.
		if again := mustPush(t, db, dev, batch...); len(again.Rejected) != len(batch) {
			t.Errorf("repeated Push rejected %d, want %d", len(again.Rejected), len(batch))
		}
	})
}

func TestServersStartingTogetherShareOneEpoch(t *testing.T) {
	synctest.ForEach(t, func(t *testing.T, dsn string) {
		const n = 3
		epochs := make(chan string, n)
		var wg sync.WaitGroup
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				db, err := store.Open(context.Background(), dsn)
				if err != nil {
					t.Errorf("Open: %v", err)
					epochs <- ""
					return
				}
				epochs <- db.Epoch()
				db.Close()
			}()
		}
		wg.Wait()
		close(epochs)
		first := <-epochs
		for e := range epochs {
			if e != first || e == "" {
				t.Errorf("epochs %q and %q, want one epoch for the database", first, e)
			}
		}
	})
}
