package gen

// Name pools. Mixed on purpose: ASCII and non-ASCII letters (base64 in
// LDIF, UTF-8 in JSON), apostrophes, and names that fold to the same alias.

var givenNames = []string{
	"Anna", "Ben", "Chloé", "Daniel", "Elif", "Fatima", "Grace", "Hannah", "Isabel", "Jonas",
	"Kenji", "Lucas", "Marta", "Noah", "Olivia", "Priya", "Quentin", "Ravi", "Sofia", "Tomás",
	"Ursula", "Viktor", "Wei", "Ximena", "Yusuf", "Zoë", "Aisha", "Björn", "Carmen", "Dmitri",
	"Emma", "Felix", "Giulia", "Hiroshi", "Ingrid", "Jakub", "Kateřina", "Liam", "Mei", "Nina",
	"Oskar", "Paula", "Rania", "Siobhán", "Tariq", "Uma", "Vera", "William", "Yara", "Zofia",
	"Adriana", "Bogdan", "Camille", "Diego", "Eva", "Farid", "Greta", "Henrik", "Irene", "Jamal",
	"Kofi", "Lena", "Mateo", "Nadia", "Omar", "Petra", "Rosa", "Samuel", "Tereza", "Valentina",
}

var surnames = []string{
	"Andersson", "Becker", "Chen", "Dubois", "Eriksen", "Fischer", "García", "Horvat", "Ivanova", "Jansen",
	"Kowalska", "Lindqvist", "Martin", "Nowak", "O'Brien", "Petrova", "Rossi", "Schmidt", "Tanaka", "Ueda",
	"Varga", "Weber", "Yılmaz", "Zhang", "Šťastná", "Müller", "Novák", "Okafor", "Mensah", "Menon",
	"Ortega", "Murphy", "Kim", "Nguyen", "Silva", "Costa", "Haddad", "Larsen", "Dvořák", "Kovačević",
	"Papadopoulos", "Rahman", "Singh", "Takahashi", "Virtanen", "Walsh", "Young", "Ziegler", "Bianchi", "Castillo",
	"de Vries", "El-Amin", "Fernández", "Gonzalez", "Hansen", "Ito", "Jovanović", "Keller", "López", "Moreau",
}

// departments give the OU, the department attribute and custom attributes.
var departments = []struct {
	name, code, costCentre string
	weight                 int
}{
	{"Sales", "SAL", "CC-4410", 22},
	{"Engineering", "ENG", "CC-4600", 20},
	{"Operations", "OPS", "CC-4300", 14},
	{"Customer Service", "CSV", "CC-4700", 14},
	{"Finance", "FIN", "CC-4200", 8},
	{"Marketing", "MKT", "CC-4450", 7},
	{"HR", "HR", "CC-4100", 5},
	{"Legal", "LGL", "CC-4150", 3},
	{"Research", "RND", "CC-4650", 5},
	{"Facilities", "FAC", "CC-4800", 2},
}

var sites = []string{"AMS", "BER", "BOS", "DUB", "LIS", "NYC", "OSL", "SIN", "TYO", "WAW"}

var resourceWords = []string{"Atlas", "Borealis", "Cedar", "Delta", "Ember", "Fjord", "Granite", "Harbor", "Iris", "Juniper", "Kestrel", "Lumen"}

var sharedWords = []string{"Support", "Invoices", "Careers", "Press", "Orders", "Helpdesk", "Payroll", "Facilities", "Partners", "Returns", "Events", "Security"}

var equipmentWords = []string{"Pool Car", "Projector", "Camera Kit", "Van", "Laptop Cart", "Conference Phone"}

var projectTags = []string{"Atlas", "Borealis", "Cirrus", "Dynamo", "Echo", "Falcon", "Gemini", "Helix"}

var partnerDomains = []string{"contoso-logistics.example", "fabrikam.example", "northwind.example", "tailspin.example", "woodgrove.example", "adatum.example", "litware.example", "proseware.example"}
