package transfer

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Field is a piece of customer data an import can read from a column.
type Field string

// The fields an import reads.
const (
	FieldName     Field = "name"
	FieldEmail    Field = "email"
	FieldPhone    Field = "phone"
	FieldCard     Field = "card"
	FieldCompany  Field = "company"
	FieldTaxID    Field = "tax_id"
	FieldConsent  Field = "consent"
	FieldPoints   Field = "points"   // opening points balance
	FieldCashback Field = "cashback" // opening cashback balance, in the shop's currency
	FieldVisits   Field = "visits"   // number of past visits
	FieldBirthday Field = "birthday" // day and month, "14/03", or a date of birth
)

// Fields lists the fields in the order the mapping screen shows them.
var Fields = []Field{FieldName, FieldEmail, FieldPhone, FieldCard, FieldCompany, FieldTaxID, FieldConsent, FieldPoints, FieldCashback, FieldVisits, FieldBirthday}

// Mapping says which column (0-based) holds each field; a field absent from it is not
// imported.
type Mapping map[Field]int

// headerNames are the column titles, in English, French and Portuguese, that Guess
// recognises, normalised by normHeader.
var headerNames = map[Field][]string{
	FieldName: {"name", "fullname", "customer", "customername", "client", "nom", "nomcomplet", "nomclient",
		"prenomnom", "nomprenom", "cliente", "nome", "nomecompleto", "nomedocliente"},
	FieldEmail: {"email", "emailaddress", "mail", "courriel", "adresseemail", "adressemail", "adressecourriel",
		"enderecodeemail", "correio"},
	FieldPhone: {"phone", "phonenumber", "telephone", "tel", "mobile", "cell", "cellphone", "portable", "numero",
		"numerodetelephone", "telefone", "celular", "fone", "whatsapp"},
	FieldCard: {"card", "cardcode", "cardnumber", "loyaltycard", "carte", "codecarte", "numerodecarte",
		"cartefidelite", "cartao", "codigodocartao", "numerodocartao", "cartaofidelidade"},
	FieldCompany: {"company", "business", "companyname", "societe", "entreprise", "raisonsociale", "empresa",
		"razaosocial"},
	FieldTaxID: {"taxid", "vat", "vatnumber", "siret", "siren", "tva", "numerotva", "tvaintracom", "cnpj", "cpf",
		"cpfcnpj"},
	FieldConsent: {"consent", "optin", "marketing", "newsletter", "consentement", "accepteemails", "consentimento",
		"aceitaemails"},
	FieldPoints: {"points", "pointsbalance", "balance", "loyaltypoints", "solde", "soldepoints", "soldedepoints",
		"pontos", "saldo", "saldodepontos"},
	FieldCashback: {"cashback", "cashbackbalance", "cagnotte", "soldecashback", "saldocashback", "saldodecashback"},
	FieldVisits: {"visits", "visitcount", "numberofvisits", "frequency", "frequencies", "stamps", "visites",
		"nombredevisites", "passages", "nombredepassages", "frequence", "tampons", "visitas", "numerodevisitas",
		"frequencia", "carimbos", "selos"},
	FieldBirthday: {"birthday", "birthdate", "dateofbirth", "dob", "anniversaire", "datedenaissance", "naissance",
		"aniversario", "datadenascimento", "nascimento"},
}

// Guess maps the columns whose titles it recognises, in English, French or Portuguese,
// ignoring case, accents, spaces and punctuation. Each field takes the first column that
// names it; unknown columns stay unmapped.
func Guess(header []string) Mapping {
	byName := map[string]Field{}
	for f, names := range headerNames {
		for _, n := range names {
			byName[n] = f
		}
	}
	m := Mapping{}
	for i, h := range header {
		if f, ok := byName[normHeader(h)]; ok {
			if _, taken := m[f]; !taken {
				m[f] = i
			}
		}
	}
	return m
}

// normHeader lowercases s and keeps its letters and digits, without accents:
// "N° de Téléphone" becomes "ndetelephone"... and "E-mail" "email".
func normHeader(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToLower(s)) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}
