"""Reference data the demo generator builds on (see ../shared/DOMAIN.md §1.2 and §7).

The six demonstration villages of the East Asia Poverty Reduction Demonstration Cooperation
project are real places; their coordinates here are approximate (township/district level)
and their household counts come from press reports quoted in DOMAIN.md ([S9], [S11], [S7],
[S20]) or are split from programme totals where no per-village figure was published. Every
record the generator writes is flagged synthetic.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class CountrySpec:
    iso3: str
    iso2: str
    name_latin: str
    name_local: str
    currency: str
    is_partner: bool
    boundary_file: str
    mean_household_size: float  # DOMAIN.md §7
    extra_villages: int
    district_word: tuple[str, str]  # (Latin, local) word for a district
    village_prefix: tuple[str, str]
    syllables: tuple[tuple[str, str], ...]


COUNTRIES = (
    CountrySpec(
        "CHN",
        "CN",
        "China",
        "中国",
        "CNY",
        False,
        "CHN-YN_yunnan",
        3.0,
        0,
        ("County", "县"),
        ("", ""),
        (),
    ),
    CountrySpec(
        "MMR",
        "MM",
        "Myanmar",
        "မြန်မာ",
        "MMK",
        True,
        "MMR",
        4.7,
        14,
        ("Township", "မြို့နယ်"),
        ("", ""),
        (
            ("Aung", "အောင်"),
            ("Chan", "ချမ်း"),
            ("Thar", "သာ"),
            ("Myay", "မြေ"),
            ("Kone", "ကုန်း"),
            ("Shwe", "ရွှေ"),
            ("Pin", "ပင်"),
            ("Gyi", "ကြီး"),
            ("Thit", "သစ်"),
            ("Ywar", "ရွာ"),
            ("Zay", "ဈေး"),
            ("Taw", "တော"),
        ),
    ),
    CountrySpec(
        "LAO",
        "LA",
        "Lao PDR",
        "ລາວ",
        "LAK",
        True,
        "LAO",
        4.7,
        14,
        ("District", "ເມືອງ"),
        ("Ban", "ບ້ານ"),
        (
            ("Na", "ນາ"),
            ("Done", "ດອນ"),
            ("Phon", "ໂພນ"),
            ("Nong", "ໜອງ"),
            ("Houay", "ຫ້ວຍ"),
            ("Xay", "ໄຊ"),
            ("Thong", "ທົ່ງ"),
            ("Kang", "ກາງ"),
            ("Mai", "ໃໝ່"),
            ("Kao", "ເກົ່າ"),
        ),
    ),
    CountrySpec(
        "KHM",
        "KH",
        "Cambodia",
        "កម្ពុជា",
        "KHR",
        True,
        "KHM",
        4.6,
        14,
        ("District", "ស្រុក"),
        ("Phum", "ភូមិ"),
        (
            ("Thmei", "ថ្មី"),
            ("Chas", "ចាស់"),
            ("Tuol", "ទួល"),
            ("Prey", "ព្រៃ"),
            ("Kok", "គោក"),
            ("Svay", "ស្វាយ"),
            ("Trapeang", "ត្រពាំង"),
            ("Chrey", "ជ្រៃ"),
        ),
    ),
    CountrySpec(
        "THA",
        "TH",
        "Thailand",
        "ประเทศไทย",
        "THB",
        True,
        "THA",
        3.2,
        4,
        ("Amphoe", "อำเภอ"),
        ("Ban", "บ้าน"),
        (
            ("Nong", "หนอง"),
            ("Mai", "ใหม่"),
            ("Don", "ดอน"),
            ("Na", "นา"),
            ("Huai", "ห้วย"),
            ("Thung", "ทุ่ง"),
            ("Sai", "ทราย"),
        ),
    ),
    CountrySpec(
        "VNM",
        "VN",
        "Viet Nam",
        "Việt Nam",
        "VND",
        True,
        "VNM",
        3.8,
        4,
        ("District", "Huyện"),
        ("Thon", "Thôn"),
        (
            ("Moi", "Mới"),
            ("Dong", "Đồng"),
            ("Na", "Nà"),
            ("Pac", "Pác"),
            ("Tan", "Tân"),
            ("Ban", "Bản"),
            ("Lang", "Làng"),
        ),
    ),
)


@dataclass(frozen=True)
class AreaSpec:
    code: str
    name_latin: str
    name_local: str
    level: str


@dataclass(frozen=True)
class DemonstrationVillage:
    code: str
    name_latin: str
    name_local: str
    country: str
    areas: tuple[AreaSpec, ...]  # top level first
    latitude: Decimal
    longitude: Decimal
    households: int
    persons: int
    source: str


DEMONSTRATION_VILLAGES = (
    DemonstrationVillage(
        "MMR-NPT-MINPYIN",
        "Min Pyin",
        "မင်းပြင်",
        "MMR",
        (
            AreaSpec("MM-NPT", "Nay Pyi Taw Union Territory", "နေပြည်တော်", "province"),
            AreaSpec("MM-NPT-LEWE", "Lewe", "လယ်ဝေး", "county"),
        ),
        Decimal("19.63000"),
        Decimal("96.11000"),
        700,
        3900,
        "Split of the pre-launch plan of ~1,400 households / 7,800 people in two villages [S7].",
    ),
    DemonstrationVillage(
        "MMR-NPT-AYECHANTHAR",
        "Aye Chan Thar",
        "အေးချမ်းသာ",
        "MMR",
        (
            AreaSpec("MM-NPT", "Nay Pyi Taw Union Territory", "နေပြည်တော်", "province"),
            AreaSpec("MM-NPT-TATKON", "Tatkon", "တပ်ကုန်း", "county"),
        ),
        Decimal("20.13000"),
        Decimal("96.20000"),
        700,
        3900,
        "Split of the pre-launch plan of ~1,400 households / 7,800 people in two villages [S7].",
    ),
    DemonstrationVillage(
        "LAO-VTE-BANXOR",
        "Ban Xor",
        "ບ້ານຊໍ",
        "LAO",
        (
            AreaSpec("LA.VT", "Vientiane Capital", "ນະຄອນຫຼວງວຽງຈັນ", "province"),
            AreaSpec("LA-VT-SANGTHONG", "Sangthong", "ສັງທອງ", "county"),
        ),
        Decimal("18.26000"),
        Decimal("102.15000"),
        407,
        2007,
        "407 households / 2,007 people [S11].",
    ),
    DemonstrationVillage(
        "LAO-LPB-XIENGLOM",
        "Xienglom",
        "ຊຽງລົມ",
        "LAO",
        (
            AreaSpec("LA.LP", "Louangphrabang", "ຫຼວງພະບາງ", "province"),
            AreaSpec("LA-LP-LUANGPRABANG", "Luang Prabang", "ຫຼວງພະບາງ", "county"),
        ),
        Decimal("19.85000"),
        Decimal("102.20000"),
        188,
        700,
        "Programme total of 595 families / >2,700 people in both Lao villages [S9] less Ban Xor.",
    ),
    DemonstrationVillage(
        "KHM-KDL-SVAYAMPEAR",
        "Svay Ampear",
        "ស្វាយអំពារ",
        "KHM",
        (AreaSpec("KH.KN", "Kandal", "កណ្ដាល", "province"),),
        Decimal("11.43000"),
        Decimal("104.98000"),
        500,
        2300,
        "Split of ~1,000 families in the two Cambodian villages [S20].",
    ),
    DemonstrationVillage(
        "KHM-KDL-CHHEUTEALPHLUOH",
        "Chheu Teal Phluoh",
        "ឈើទាលភ្លោះ",
        "KHM",
        (AreaSpec("KH.KN", "Kandal", "កណ្ដាល", "province"),),
        Decimal("11.30000"),
        Decimal("105.05000"),
        500,
        2300,
        "Split of ~1,000 families in the two Cambodian villages [S20].",
    ),
)


@dataclass(frozen=True)
class OrganisationSpec:
    key: str
    country: str
    name_latin: str
    name_local: str
    acronym: str
    kind: str
    parent: str | None = None


ORGANISATIONS = (
    OrganisationSpec(
        "iprcc",
        "CHN",
        "International Poverty Reduction Center in China",
        "中国国际扶贫中心",
        "IPRCC",
        "provincial_centre",
    ),
    OrganisationSpec(
        "iprcy",
        "CHN",
        "Yunnan International Poverty Reduction Center",
        "云南国际扶贫中心",
        "IPRCY",
        "provincial_centre",
    ),
    OrganisationSpec(
        "gxcenter",
        "CHN",
        "Guangxi Foreign Capital Poverty Reduction Project Management Center",
        "广西外资扶贫项目管理中心",
        "GXFCPR",
        "provincial_centre",
    ),
    OrganisationSpec(
        "yaas",
        "CHN",
        "Yunnan Academy of Agricultural Sciences",
        "云南省农业科学院",
        "YAAS",
        "academy",
    ),
    OrganisationSpec(
        "cfpd",
        "CHN",
        "China Foundation for Peace and Development",
        "中国和平发展基金会",
        "CFPD",
        "fund",
    ),
    OrganisationSpec(
        "mmr-mocrd",
        "MMR",
        "Ministry of Cooperatives and Rural Development",
        "သမဝါယမနှင့်ကျေးလက်ဖွံ့ဖြိုးရေးဝန်ကြီးဌာန",
        "MOCRD",
        "ministry",
    ),
    OrganisationSpec(
        "mmr-drd",
        "MMR",
        "Department of Rural Development",
        "ကျေးလက်ဒေသဖွံ့ဖြိုးရေးဦးစီးဌာန",
        "DRD",
        "department",
        "mmr-mocrd",
    ),
    OrganisationSpec(
        "lao-ncrdpe",
        "LAO",
        "National Committee for Rural Development and Poverty Eradication",
        "ຄະນະກຳມະການແຫ່ງຊາດເພື່ອພັດທະນາຊົນນະບົດ ແລະ ລຶບລ້າງຄວາມທຸກຍາກ",
        "NCRDPE",
        "ministry",
    ),
    OrganisationSpec(
        "khm-mrd", "KHM", "Ministry of Rural Development", "ក្រសួងអភិវឌ្ឍន៍ជនបទ", "MRD", "ministry"
    ),
    OrganisationSpec(
        "khm-csaf", "KHM", "Cambodian Synthetic Aid Foundation (synthetic NGO)", "", "CSAF-S", "ngo"
    ),
    OrganisationSpec(
        "contractor-1",
        "CHN",
        "Synthetic Road & Bridge Engineering Co.",
        "示例路桥工程公司",
        "",
        "contractor",
    ),
    OrganisationSpec("contractor-2", "MMR", "Synthetic Water Works Ltd.", "", "", "contractor"),
)


@dataclass(frozen=True)
class PersonaSpec:
    username: str
    role: str
    first_name: str
    last_name: str
    organisation: str
    countries: tuple[str, ...]
    all_countries: bool
    describes: str
    language: str


PERSONAS = (
    PersonaSpec(
        "li.wei",
        "programme_officer",
        "Wei",
        "Li",
        "iprcy",
        (),
        True,
        "Chinese programme officer, provincial centre (all countries)",
        "zh-hans",
    ),
    PersonaSpec(
        "thida",
        "counterpart",
        "Thida",
        "Aung",
        "mmr-drd",
        ("MMR",),
        False,
        "Myanmar counterpart, Department of Rural Development",
        "my",
    ),
    PersonaSpec(
        "souksavanh",
        "counterpart",
        "Souksavanh",
        "Phommachanh",
        "lao-ncrdpe",
        ("LAO",),
        False,
        "Lao counterpart, NCRDPE",
        "lo",
    ),
    PersonaSpec(
        "sokha",
        "counterpart",
        "Sokha",
        "Chan",
        "khm-mrd",
        ("KHM",),
        False,
        "Cambodian counterpart, Ministry of Rural Development",
        "km",
    ),
    PersonaSpec(
        "zhang.min",
        "joint_office",
        "Min",
        "Zhang",
        "iprcy",
        ("MMR",),
        False,
        "Joint project office member, Myanmar office",
        "zh-hans",
    ),
    PersonaSpec(
        "kyaw",
        "enumerator",
        "Kyaw",
        "Min",
        "mmr-drd",
        ("MMR",),
        False,
        "Enumerator, Myanmar village work team",
        "my",
    ),
    PersonaSpec(
        "chen.jing",
        "me_officer",
        "Jing",
        "Chen",
        "iprcy",
        (),
        True,
        "M&E officer, provincial centre",
        "zh-hans",
    ),
    PersonaSpec(
        "admin",
        "administrator",
        "Platform",
        "Administrator",
        "iprcy",
        (),
        True,
        "Administrator (Django admin)",
        "en",
    ),
)

DEMO_PASSWORD = "mekong-demo"

# Synthetic contact people (invented names in common local forms), two per organisation.
CONTACT_NAMES: dict[str, tuple[tuple[str, str], ...]] = {
    "CHN": (
        ("Wang Fang", "王芳"),
        ("Zhao Lei", "赵磊"),
        ("Yang Hua", "杨华"),
        ("Liu Yang", "刘洋"),
        ("Huang Li", "黄丽"),
    ),
    "MMR": (
        ("Aung Ko", "အောင်ကို"),
        ("Hla Hla", "လှလှ"),
        ("Min Thu", "မင်းသူ"),
        ("Su Su", "စုစု"),
        ("Zaw Win", "ဇော်ဝင်း"),
    ),
    "LAO": (
        ("Khamla Vongsa", "ຄຳລາ ວົງສາ"),
        ("Noy Sisavath", "ນ້ອຍ ສີສະຫວາດ"),
        ("Bounmy Keo", "ບຸນມີ ແກ້ວ"),
    ),
    "KHM": (("Dara Sok", "សុខ ដារា"), ("Srey Mom", "ស្រីមុំ"), ("Vanna Kim", "គីម វណ្ណា")),
}
CONTACT_POSITIONS = (
    "Director",
    "Deputy director",
    "Programme coordinator",
    "Finance officer",
    "Technical officer",
)
