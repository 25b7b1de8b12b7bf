package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// Brand colours: a deep green for actions, warm neutrals for surfaces, and the usual
// traffic-light trio for outcomes, each dark enough for text contrast of 4.5:1 or more.
var (
	brandGreen   = color.NRGBA{R: 0x1b, G: 0x6e, B: 0x5a, A: 0xff}
	brandGreenHi = color.NRGBA{R: 0x3f, G: 0xb8, B: 0x96, A: 0xff}
	amber        = color.NRGBA{R: 0xb4, G: 0x6a, B: 0x00, A: 0xff}
	red          = color.NRGBA{R: 0xc0, G: 0x2b, B: 0x2b, A: 0xff}
	ok           = color.NRGBA{R: 0x1e, G: 0x7e, B: 0x34, A: 0xff}

	lightBackground = color.NRGBA{R: 0xf6, G: 0xf4, B: 0xf0, A: 0xff}
	lightSurface    = color.NRGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xff}
	lightText       = color.NRGBA{R: 0x1f, G: 0x23, B: 0x28, A: 0xff}
	lightMuted      = color.NRGBA{R: 0x5f, G: 0x66, B: 0x6d, A: 0xff}
	darkBackground  = color.NRGBA{R: 0x17, G: 0x1a, B: 0x1c, A: 0xff}
	darkSurface     = color.NRGBA{R: 0x22, G: 0x26, B: 0x29, A: 0xff}
	darkText        = color.NRGBA{R: 0xee, G: 0xee, B: 0xea, A: 0xff}
	darkMuted       = color.NRGBA{R: 0xa6, G: 0xad, B: 0xb3, A: 0xff}
)

// merciTheme is Fyne's default theme in Merci's colours and a size fit for a till seen at
// arm's length. It is light unless the shop chose dark: shops are bright places, and the
// system's choice on a till is rarely anyone's.
type merciTheme struct{ dark bool }

var _ fyne.Theme = merciTheme{}

// Custom colour names for Merci's own surfaces.
const (
	colorSurface fyne.ThemeColorName = "merciSurface"
	colorMuted   fyne.ThemeColorName = "merciMuted"
)

func (t merciTheme) Color(name fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	dark := t.dark
	v := theme.VariantLight
	if dark {
		v = theme.VariantDark
	}
	pick := func(light, darkC color.Color) color.Color {
		if dark {
			return darkC
		}
		return light
	}
	switch name {
	case theme.ColorNamePrimary, theme.ColorNameFocus, theme.ColorNameHyperlink:
		return pick(brandGreen, brandGreenHi)
	case theme.ColorNameBackground:
		return pick(lightBackground, darkBackground)
	case colorSurface, theme.ColorNameOverlayBackground, theme.ColorNameMenuBackground:
		return pick(lightSurface, darkSurface)
	case theme.ColorNameInputBackground:
		return pick(lightSurface, darkSurface)
	case theme.ColorNameForeground:
		return pick(lightText, darkText)
	case colorMuted, theme.ColorNamePlaceHolder:
		return pick(lightMuted, darkMuted)
	case theme.ColorNameSuccess:
		return ok
	case theme.ColorNameError:
		return red
	case theme.ColorNameWarning:
		return amber
	case theme.ColorNameButton:
		return pick(color.NRGBA{R: 0xe9, G: 0xe6, B: 0xe0, A: 0xff}, color.NRGBA{R: 0x30, G: 0x35, B: 0x39, A: 0xff})
	case theme.ColorNameSeparator:
		return pick(color.NRGBA{R: 0xdd, G: 0xd8, B: 0xd0, A: 0xff}, color.NRGBA{R: 0x3a, G: 0x3f, B: 0x44, A: 0xff})
	}
	return theme.DefaultTheme().Color(name, v)
}

func (merciTheme) Font(s fyne.TextStyle) fyne.Resource { return theme.DefaultTheme().Font(s) }

func (merciTheme) Icon(n fyne.ThemeIconName) fyne.Resource { return theme.DefaultTheme().Icon(n) }

func (merciTheme) Size(n fyne.ThemeSizeName) float32 {
	switch n {
	case theme.SizeNameText:
		return 15
	case theme.SizeNameHeadingText:
		return 26
	case theme.SizeNameSubHeadingText:
		return 19
	case theme.SizeNamePadding:
		return 6
	case theme.SizeNameInputRadius, theme.SizeNameSelectionRadius:
		return 6
	}
	return theme.DefaultTheme().Size(n)
}
