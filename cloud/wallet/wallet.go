// Package wallet builds the contents of a loyalty card's Apple Wallet and Google Wallet
// passes: what the pass shows (the shop, the points, the level, the next reward) and the
// QR code the counter scans, the card page's address as on printed cards. AppleSigner
// signs them into a .pkpass with a Pass Type ID certificate; GoogleSigner signs the
// claims (RS256) into a "Save to Google Wallet" link with a service account's key.
// Neither key is needed to build or test the contents; docs/wallet.md lists what the
// server's operator provides.
package wallet

import (
	"crypto/sha1" // Apple's manifest format names SHA-1
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/merci-loyalty/merci/cards"
	"github.com/merci-loyalty/merci/i18n"
)

// Card is what a pass shows of a loyalty card.
type Card struct {
	ShopName string
	Code     cards.Code
	PageURL  string // the card page, cards.URL: the pass's QR code holds it
	Points   int64
	Level    string // the tier, or ""
	Next     string // the next reward's name, or ""
	NextGap  int64  // the points still needed for Next
	Voided   bool   // blocked or replaced: the wallet greys the pass out
}

// ErrIncomplete means a wallet setting the shop must provide is missing.
var ErrIncomplete = errors.New("wallet settings incomplete")

// Apple is what a shop's Apple Developer account gives it for passes.
type Apple struct {
	PassTypeID string // the pass type identifier, "pass.com.example.cafe"
	TeamID     string // the developer team's identifier
}

// applePass is the part of Apple's pass.json format a store card uses.
type applePass struct {
	FormatVersion      int            `json:"formatVersion"`
	PassTypeIdentifier string         `json:"passTypeIdentifier"`
	TeamIdentifier     string         `json:"teamIdentifier"`
	SerialNumber       string         `json:"serialNumber"`
	OrganizationName   string         `json:"organizationName"`
	Description        string         `json:"description"`
	LogoText           string         `json:"logoText"`
	ForegroundColor    string         `json:"foregroundColor"`
	BackgroundColor    string         `json:"backgroundColor"`
	LabelColor         string         `json:"labelColor"`
	Voided             bool           `json:"voided,omitempty"`
	Barcodes           []appleBarcode `json:"barcodes"`
	StoreCard          appleFields    `json:"storeCard"`
}

type appleBarcode struct {
	Format          string `json:"format"`
	Message         string `json:"message"`
	MessageEncoding string `json:"messageEncoding"`
	AltText         string `json:"altText"`
}

type appleFields struct {
	PrimaryFields   []appleField `json:"primaryFields"`
	SecondaryFields []appleField `json:"secondaryFields,omitempty"`
	// The pass is what the card was when it was added; its back links to the card
	// page, which is always current.
	BackFields []appleField `json:"backFields,omitempty"`
}

type appleField struct {
	Key   string `json:"key"`
	Label string `json:"label"`
	Value any    `json:"value"`
}

// ApplePass returns the pass.json of c's store card, its texts in l.
func ApplePass(a Apple, c Card, l i18n.Lang) ([]byte, error) {
	if strings.TrimSpace(a.PassTypeID) == "" || strings.TrimSpace(a.TeamID) == "" {
		return nil, fmt.Errorf("apple wallet: pass type id and team id: %w", ErrIncomplete)
	}
	p := applePass{
		FormatVersion: 1, PassTypeIdentifier: a.PassTypeID, TeamIdentifier: a.TeamID,
		SerialNumber: string(c.Code), OrganizationName: c.ShopName,
		Description: l.T("card.title", c.ShopName), LogoText: c.ShopName,
		// The card page's colours.
		ForegroundColor: "rgb(255, 255, 255)", BackgroundColor: "rgb(181, 69, 43)", LabelColor: "rgb(250, 222, 212)",
		Voided: c.Voided,
		// ISO-8859-1 as Apple asks: a card page address is ASCII.
		Barcodes:  []appleBarcode{{Format: "PKBarcodeFormatQR", Message: c.PageURL, MessageEncoding: "iso-8859-1", AltText: c.Code.String()}},
		StoreCard: appleFields{PrimaryFields: []appleField{{Key: "points", Label: l.T("card.points"), Value: c.Points}}},
	}
	if c.Level != "" {
		p.StoreCard.SecondaryFields = append(p.StoreCard.SecondaryFields, appleField{Key: "level", Label: l.T("card.level"), Value: c.Level})
	}
	if c.Next != "" {
		p.StoreCard.SecondaryFields = append(p.StoreCard.SecondaryFields,
			appleField{Key: "next", Label: l.T("card.next_reward"), Value: c.Next + " · " + l.T("card.to_go", l.Number(c.NextGap))})
	}
	if c.PageURL != "" {
		p.StoreCard.BackFields = []appleField{{Key: "page", Label: l.T("card.wallet_page"), Value: c.PageURL}}
	}
	return json.MarshalIndent(p, "", "  ")
}

// AppleManifest returns manifest.json of a pass made of files (pass.json, icon.png,
// logo.png...): each file's SHA-1. The shop's certificate signs it into the signature
// file.
func AppleManifest(files map[string][]byte) ([]byte, error) {
	m := make(map[string]string, len(files))
	for name, b := range files {
		sum := sha1.Sum(b)
		m[name] = hex.EncodeToString(sum[:])
	}
	return json.MarshalIndent(m, "", "  ")
}

// Google is what a shop's Google Wallet issuer account gives it.
type Google struct {
	IssuerID       string   // the issuer id of the Google Pay & Wallet console
	ServiceAccount string   // the client_email of the service account whose key signs
	LogoURL        string   // the shop's logo on the web, which a loyalty class requires
	Origins        []string // the sites that show the "Save to Google Wallet" button
}

// GoogleClaims returns the claims of c's "Save to Google Wallet" JWT, issued at now,
// its texts in l: the shop's loyalty class and the card's loyalty object. Signed with
// RS256 by the service account's key, the JWT goes in https://pay.google.com/gp/v/save/JWT.
func GoogleClaims(g Google, tag string, c Card, l i18n.Lang, now time.Time) ([]byte, error) {
	claims, err := googleClaims(g, tag, c, l, now)
	if err != nil {
		return nil, err
	}
	return json.Marshal(claims)
}

func googleClaims(g Google, tag string, c Card, l i18n.Lang, now time.Time) (map[string]any, error) {
	if strings.TrimSpace(g.IssuerID) == "" || strings.TrimSpace(g.ServiceAccount) == "" || strings.TrimSpace(g.LogoURL) == "" {
		return nil, fmt.Errorf("google wallet: issuer id, service account and logo address: %w", ErrIncomplete)
	}
	// Ids are ISSUER.SUFFIX, the suffix of letters, digits, '.', '_' or '-'.
	classID := g.IssuerID + ".merci-" + tag
	state := "ACTIVE"
	if c.Voided {
		state = "INACTIVE"
	}
	object := map[string]any{
		"id": g.IssuerID + ".merci-" + tag + "-" + string(c.Code), "classId": classID, "state": state,
		"accountId": c.Code.String(),
		"loyaltyPoints": map[string]any{
			"label": l.T("card.points"), "balance": map[string]any{"int": c.Points},
		},
		"barcode": map[string]any{"type": "QR_CODE", "value": c.PageURL, "alternateText": c.Code.String()},
	}
	var modules []map[string]any
	if c.Level != "" {
		modules = append(modules, map[string]any{"id": "level", "header": l.T("card.level"), "body": c.Level})
	}
	if c.Next != "" {
		modules = append(modules, map[string]any{"id": "next", "header": l.T("card.next_reward"), "body": c.Next + " · " + l.T("card.to_go", l.Number(c.NextGap))})
	}
	if len(modules) > 0 {
		object["textModulesData"] = modules
	}
	class := map[string]any{
		"id": classID, "issuerName": c.ShopName, "programName": l.T("card.title", c.ShopName),
		"programLogo":        map[string]any{"sourceUri": map[string]any{"uri": g.LogoURL}},
		"reviewStatus":       "UNDER_REVIEW",
		"hexBackgroundColor": "#b5452b",
	}
	origins := g.Origins
	if origins == nil {
		origins = []string{}
	}
	claims := map[string]any{
		"iss": g.ServiceAccount, "aud": "google", "typ": "savetowallet", "iat": now.Unix(),
		"origins": origins,
		"payload": map[string]any{"loyaltyClasses": []any{class}, "loyaltyObjects": []any{object}},
	}
	return claims, nil
}
