package report

import (
	"github.com/xuri/excelize/v2"

	"github.com/exoready/exoready/evaluate"
)

// colours is a fill and a font colour, chosen to stay legible when printed
// in grey.
type colours struct{ fill, font string }

// Palettes. Severity runs from dark red (critical) to pale blue (info); the
// status and readiness palettes reuse Excel's own good/neutral/bad tones.
var (
	severityColours = map[string]colours{
		"critical": {"C00000", "FFFFFF"},
		"high":     {"ED7D31", "FFFFFF"},
		"medium":   {"FFC000", "000000"},
		"low":      {"FFF2CC", "000000"},
		"info":     {"DDEBF7", "1F3864"},
	}
	statusColours = map[evaluate.Status]colours{
		evaluate.StatusFail:   {"FFC7CE", "9C0006"},
		evaluate.StatusPass:   {"C6EFCE", "006100"},
		evaluate.StatusError:  {"FFEB9C", "9C5700"},
		evaluate.StatusWaived: {"D9D9D9", "404040"},
	}
	readinessColours = map[string]colours{
		evaluate.ReadyCloudManaged:  {"DDEBF7", "1F3864"},
		evaluate.ReadyNow:           {"C6EFCE", "006100"},
		evaluate.ReadyWait:          {"FFEB9C", "9C5700"},
		evaluate.ReadyBlocked:       {"FFC7CE", "9C0006"},
		evaluate.ReadyUnknown:       {"EDEDED", "595959"},
		evaluate.ReadyNotApplicable: {"FFFFFF", "808080"},
	}
	driftColours  = colours{"F8CBAD", "833C0B"}
	headerColours = colours{"1F4E78", "FFFFFF"}
)

// defaultFont is the font of excelize's workbook template.
const defaultFont = "Calibri"

// statuses and readinessStates in display order.
var (
	statuses        = []evaluate.Status{evaluate.StatusFail, evaluate.StatusError, evaluate.StatusWaived, evaluate.StatusPass}
	readinessStates = []string{evaluate.ReadyNow, evaluate.ReadyWait, evaluate.ReadyBlocked, evaluate.ReadyUnknown,
		evaluate.ReadyCloudManaged, evaluate.ReadyNotApplicable}
)

// readinessWords name the readiness states for people.
var readinessWords = map[string]string{
	evaluate.ReadyNow:           "ready now",
	evaluate.ReadyWait:          "wait",
	evaluate.ReadyBlocked:       "blocked",
	evaluate.ReadyUnknown:       "unknown",
	evaluate.ReadyCloudManaged:  "cloud-managed",
	evaluate.ReadyNotApplicable: "not applicable",
}

// styles are the workbook's cell style ids.
type styles struct {
	header, body, wrap, small, note, drift, center int
	title, subtitle, label, section                int
	verdictGood, verdictBad, verdictUnknown        int
	mono                                           int
	severity                                       map[string]int
	status                                         map[evaluate.Status]int
	readiness                                      map[string]int
}

func newStyles(f *excelize.File) (*styles, error) {
	st := &styles{severity: map[string]int{}, status: map[evaluate.Status]int{}, readiness: map[string]int{}}
	top := &excelize.Alignment{Vertical: "top"}
	wrapTop := &excelize.Alignment{Vertical: "top", WrapText: true}
	var err error
	add := func(dst *int, s *excelize.Style) {
		if err != nil {
			return
		}
		// A font without a family renders in the viewer's fallback font:
		// name the workbook's default.
		if s.Font != nil && s.Font.Family == "" {
			s.Font.Family = defaultFont
		}
		if s.Font != nil && s.Font.Size == 0 {
			s.Font.Size = 11
		}
		*dst, err = f.NewStyle(s)
	}
	filled := func(c colours, bold bool, align *excelize.Alignment) *excelize.Style {
		return &excelize.Style{
			Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{c.fill}},
			Font:      &excelize.Font{Color: c.font, Bold: bold},
			Alignment: align,
		}
	}
	add(&st.header, &excelize.Style{
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{headerColours.fill}},
		Font:      &excelize.Font{Bold: true, Color: headerColours.font},
		Alignment: &excelize.Alignment{Vertical: "center", WrapText: true},
		Border:    []excelize.Border{{Type: "bottom", Color: "000000", Style: 1}},
	})
	add(&st.body, &excelize.Style{Alignment: top})
	add(&st.center, &excelize.Style{Alignment: &excelize.Alignment{Vertical: "top", Horizontal: "center"}})
	add(&st.wrap, &excelize.Style{Alignment: wrapTop})
	add(&st.mono, &excelize.Style{Alignment: wrapTop, Font: &excelize.Font{Family: "Consolas", Size: 9}})
	add(&st.small, &excelize.Style{Alignment: wrapTop, Font: &excelize.Font{Size: 9}})
	add(&st.note, &excelize.Style{Font: &excelize.Font{Italic: true, Color: "595959"}})
	add(&st.drift, filled(driftColours, true, top))
	add(&st.title, &excelize.Style{Font: &excelize.Font{Bold: true, Size: 16, Color: headerColours.fill}})
	add(&st.subtitle, &excelize.Style{Font: &excelize.Font{Italic: true, Color: "595959"}})
	add(&st.label, &excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: wrapTop})
	add(&st.section, &excelize.Style{
		Font:   &excelize.Font{Bold: true, Size: 12, Color: headerColours.fill},
		Border: []excelize.Border{{Type: "bottom", Color: headerColours.fill, Style: 2}},
	})
	verdict := &excelize.Alignment{Vertical: "center", WrapText: true}
	add(&st.verdictGood, filled(statusColours[evaluate.StatusPass], true, verdict))
	add(&st.verdictBad, filled(statusColours[evaluate.StatusFail], true, verdict))
	add(&st.verdictUnknown, filled(statusColours[evaluate.StatusError], true, verdict))
	// Fixed order, so style ids are the same in every run.
	for _, k := range evaluate.Severities {
		var id int
		add(&id, filled(severityColours[k], true, top))
		st.severity[k] = id
	}
	for _, k := range statuses {
		var id int
		add(&id, filled(statusColours[k], false, top))
		st.status[k] = id
	}
	for _, k := range readinessStates {
		var id int
		add(&id, filled(readinessColours[k], false, top))
		st.readiness[k] = id
	}
	return st, err
}
