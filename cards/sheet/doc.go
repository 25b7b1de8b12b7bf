// Package sheet draws Merci's printed loyalty cards: one card face as an image (PNG), and
// PDF sheets of ten ID-1 cards (85.60 x 53.98 mm) on A4 or US Letter paper, with crop marks.
//
// The card face is laid out once, in millimetres, and drawn by two backends (raster and
// PDF), so that the PNG and the sheet show the same card. Text uses the Liberation fonts,
// embedded in every PDF, so shop names in any Latin, Greek or Cyrillic script print.
//
// What the QR code carries: the card's public page URL (https://HOST/c/CODE) when the shop
// has a cloud URL, else the bare card code (cards.Payload). A customer's phone camera opens
// the page from the URL; the till's scanner reads the code out of either form
// (cards.ParsePayload). The code is encoded at error-correction level H (30%), so a
// scuffed or creased card still scans.
package sheet
