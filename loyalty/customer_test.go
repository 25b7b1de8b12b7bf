package loyalty_test

import (
	"errors"
	"testing"

	"github.com/merci-loyalty/merci/loyalty"
)

func TestCustomerValidate(t *testing.T) {
	long := string(make([]rune, loyalty.MaxFieldLength+1))
	for _, tc := range []struct {
		name string
		c    loyalty.Customer
		want error
	}{
		{"nothing but a name", loyalty.Customer{Name: "Zoé"}, nil},
		{"all fields", loyalty.Customer{Name: "Ana Souza", Email: "ana.souza@exemplo.com.br", Phone: "+55 (11) 98765-4321", Company: "Padaria", TaxID: "12.345.678/0001-90"}, nil},
		{"French phone with dots", loyalty.Customer{Phone: "06.12.34.56.78"}, nil},
		{"display name in the email", loyalty.Customer{Email: "Bob <bob@x.com>"}, loyalty.ErrBadEmail},
		{"no at", loyalty.Customer{Email: "bob.example.com"}, loyalty.ErrBadEmail},
		{"no dot in the domain", loyalty.Customer{Email: "bob@localhost"}, loyalty.ErrBadEmail},
		{"two addresses", loyalty.Customer{Email: "a@x.com, b@y.com"}, loyalty.ErrBadEmail},
		{"letters in the phone", loyalty.Customer{Phone: "06 12 AB 56 78"}, loyalty.ErrBadPhone},
		{"too few digits", loyalty.Customer{Phone: "12345"}, loyalty.ErrBadPhone},
		{"too many digits", loyalty.Customer{Phone: "+1234567890123456"}, loyalty.ErrBadPhone},
		{"name too long", loyalty.Customer{Name: long}, loyalty.ErrTooLong},
		{"escape in the name", loyalty.Customer{Name: "Bob\x1b[31m"}, loyalty.ErrControl},
		{"new line in the company", loyalty.Customer{Company: "A\nB"}, loyalty.ErrControl},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.c.Normalize().Validate()
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Errorf("Validate() = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestCustomerNormalize(t *testing.T) {
	got := loyalty.Customer{Name: "  Ana ", Email: " Ana.Souza@Exemplo.COM ", Phone: " 06 12 ", Company: " X ", TaxID: " 1 "}.Normalize()
	want := loyalty.Customer{Name: "Ana", Email: "Ana.Souza@exemplo.com", Phone: "06 12", Company: "X", TaxID: "1"}
	if got != want {
		t.Errorf("Normalize() = %+v, want %+v", got, want)
	}
}
