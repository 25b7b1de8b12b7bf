package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/merci-loyalty/merci/i18n"
)

// showSettings opens the counter's settings: the language, and whatever later features
// add. applied runs after a change that needs the screen redrawn.
func (u *UI) showSettings(w fyne.Window, applied func()) {
	l := u.lang
	names := make([]string, len(i18n.Langs))
	for i, lang := range i18n.Langs {
		names[i] = lang.Name()
	}
	langSelect := widget.NewSelect(names, nil)
	langSelect.SetSelected(u.lang.Name())
	items := []*widget.FormItem{widget.NewFormItem(l.T("settings.language"), langSelect)}
	dialog.ShowForm(l.T("settings.title"), l.T("settings.save"), l.T("settings.cancel"), items, func(save bool) {
		if !save {
			return
		}
		for _, lang := range i18n.Langs {
			if lang.Name() == langSelect.Selected && lang != u.lang {
				u.setLang(lang)
				applied()
			}
		}
	}, w)
}
