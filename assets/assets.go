// Package assets embeds the files Merci ships inside its binary: translations and icons.
package assets

import "embed"

// Translations holds translations/<lang>.json, one flat map of message keys to text per
// language.
//
//go:embed translations/*.json
var Translations embed.FS

// Icon is Merci's app icon, a 512×512 PNG: the wallet passes of a shop without a logo
// show it.
//
//go:embed icon.png
var Icon []byte
