"""Fictitious people, places and clinics for the demo database. Any likeness is chance."""

from __future__ import annotations

from dataclasses import dataclass

from desktop_app.domain.documents import DocumentKind

_BLOOD = DocumentKind.BLOOD_TEST
_ECHO = DocumentKind.ULTRASOUND
_FILM = DocumentKind.IMAGING_FILM
_CD = DocumentKind.IMAGING_CD
_PATHOLOGY = DocumentKind.PATHOLOGY

FAMILY_NAMES: tuple[tuple[str, str], ...] = (
    ("佐藤", "サトウ"), ("鈴木", "スズキ"), ("高橋", "タカハシ"), ("田中", "タナカ"),
    ("伊藤", "イトウ"), ("渡辺", "ワタナベ"), ("山本", "ヤマモト"), ("中村", "ナカムラ"),
    ("小林", "コバヤシ"), ("加藤", "カトウ"), ("吉田", "ヨシダ"), ("山田", "ヤマダ"),
    ("佐々木", "ササキ"), ("山口", "ヤマグチ"), ("松本", "マツモト"), ("井上", "イノウエ"),
    ("木村", "キムラ"), ("林", "ハヤシ"), ("斎藤", "サイトウ"), ("清水", "シミズ"),
    ("工藤", "クドウ"), ("菅原", "スガワラ"), ("千葉", "チバ"), ("三浦", "ミウラ"),
    ("阿部", "アベ"), ("石川", "イシカワ"), ("今野", "コンノ"), ("高田", "タカダ"),
)  # fmt: skip
MALE_NAMES: tuple[tuple[str, str], ...] = (
    ("太郎", "タロウ"), ("一郎", "イチロウ"), ("健一", "ケンイチ"), ("誠", "マコト"),
    ("浩", "ヒロシ"), ("修", "オサム"), ("隆", "タカシ"), ("大輔", "ダイスケ"),
    ("翔太", "ショウタ"), ("和夫", "カズオ"), ("茂", "シゲル"), ("悠斗", "ユウト"),
)  # fmt: skip
FEMALE_NAMES: tuple[tuple[str, str], ...] = (
    ("花子", "ハナコ"), ("恵子", "ケイコ"), ("幸子", "サチコ"), ("由美子", "ユミコ"),
    ("美香", "ミカ"), ("陽子", "ヨウコ"), ("真由美", "マユミ"), ("久美子", "クミコ"),
    ("明美", "アケミ"), ("さくら", "サクラ"), ("結衣", "ユイ"), ("千尋", "チヒロ"),
)  # fmt: skip
# (postal code, address without the street number) — real postal codes of the region.
PLACES: tuple[tuple[str, str], ...] = (
    ("0530022", "北海道苫小牧市表町"), ("0530023", "北海道苫小牧市錦町"),
    ("0591365", "北海道苫小牧市植苗"), ("0591305", "北海道苫小牧市沼ノ端中央"),
    ("0590905", "北海道白老郡白老町大町"), ("0660062", "北海道千歳市千代田町"),
    ("0591601", "北海道勇払郡厚真町京町"), ("0500074", "北海道室蘭市中島町"),
    ("0590014", "北海道登別市富士町"), ("0530833", "北海道苫小牧市日新町"),
    ("0530054", "北海道苫小牧市明野新町"), ("0591271", "北海道苫小牧市澄川町"),
    ("0530021", "北海道苫小牧市若草町"), ("0530851", "北海道苫小牧市山手町"),
    ("0520022", "北海道伊達市梅本町"),
)  # fmt: skip
# Landline area codes (市外局番) of the places above: a number must fit its address.
AREA_CODES: tuple[tuple[str, str], ...] = (
    ("北海道苫小牧市", "0144"), ("北海道白老郡", "0144"), ("北海道千歳市", "0123"),
    ("北海道勇払郡厚真町", "0145"), ("北海道室蘭市", "0143"), ("北海道登別市", "0143"),
    ("北海道伊達市", "0142"),
)  # fmt: skip


# Some households keep a fax at home, where the clinic faxes forms (「FAXで送る」), and so do
# some family callers: every FAX_PATIENTS-th patient and every FAX_CALLERS-th caller by row id,
# so a demo of a dozen cases shows both.
FAX_PATIENTS = 6
FAX_CALLERS = 4


def home_fax(landline: str, row_id: int, every: int, step: int = 1) -> str:
    """The home fax of every ``every``-th person by row id, else "": a line beside the
    household's landline (its area and exchange, the subscriber number ``step`` on)."""
    if row_id % every:
        return ""
    head, tail = landline[:-4], int(landline[-4:])
    return f"{head}{(tail + step) % 10_000:04d}"


def area_code(address: str) -> str:
    """The landline area code of an address in the demo's region."""
    for prefix, code in AREA_CODES:
        if address.startswith(prefix):
            return code
    raise ValueError(f"no area code for {address}")


# Fictitious referring clinics: (name, postal code, address, department, doctors).
CLINICS: tuple[tuple[str, str, str, str, tuple[str, ...]], ...] = (
    ("みなと内科クリニック", "0530022", "北海道苫小牧市表町3-2-1", "内科",
     ("北村 誠司", "南 由紀")),
    ("しらおい中央医院", "0590905", "北海道白老郡白老町大町2-5-8", "外科", ("白石 公平",)),
    ("ちとせ駅前消化器クリニック", "0660062", "北海道千歳市千代田町5-1-3", "消化器内科",
     ("千田 亮", "駒井 麻衣")),
    ("あつま町立診療所", "0591601", "北海道勇払郡厚真町京町1-1", "内科", ("厚木 晴彦",)),
    ("室蘭港南総合病院", "0500074", "北海道室蘭市中島町4-10-2", "呼吸器内科",
     ("港 直樹", "中島 恵理")),
    ("医療法人社団 ぬまのはた会 沼ノ端ファミリークリニック", "0591305",
     "北海道苫小牧市沼ノ端中央6-7-12", "内科", ("沼田 孝",)),
    ("のぼりべつ乳腺・甲状腺クリニック", "0590014", "北海道登別市富士町7-3-5", "乳腺外科",
     ("富士 彩香",)),
    ("苫小牧ひがし泌尿器科", "0530833", "北海道苫小牧市日新町2-8-15", "泌尿器科",
     ("東 雅之",)),
    ("とまこまい若草こどもクリニック", "0530021", "北海道苫小牧市若草町4-6-2", "小児科",
     ("若林 陽介",)),
)  # fmt: skip
# The hospital's own departments and second-opinion doctors (fictitious names).
DEPARTMENTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("消化器内科", ("大森 健太郎", "小野寺 里美")),
    ("外科", ("長谷川 修一", "村上 拓也")),
    ("呼吸器内科", ("西田 直子",)),
    ("循環器内科", ("岡本 浩二", "堀 美和")),
    ("乳腺外科", ("藤井 麻里",)),
    ("泌尿器科", ("石田 剛",)),
    ("脳神経外科", ("柴田 航",)),
    ("腫瘍内科", ("桑原 真一",)),
)


@dataclass(frozen=True)
class CaseProfile:
    """One plausible case: a diagnosis with the department that answers it, who refers it,
    who has it (sex, age range) and what is asked."""

    diagnosis: str
    department: str  # one of DEPARTMENTS
    referrer_departments: tuple[str, ...]  # departments of CLINICS that would refer it
    sex: str | None  # "male" / "female" / None for either
    min_age: int
    max_age: int
    category: str  # a ConsultationCategory value
    consultation: str
    # The test materials this diagnosis is worked up with; the first is always brought
    # (imaging for an aneurysm), the others some of the time. No pathology where no tissue
    # is taken (もやもや病, angina).
    materials: tuple[DocumentKind, ...]


# Diagnosis, department, age and sex drawn together, so no 14-year-old asks about prostate
# cancer and no question about angina comes with 病名 胃がん.
PROFILES: tuple[CaseProfile, ...] = (
    CaseProfile("胃がん（早期）", "外科", ("消化器内科", "内科", "外科"), None, 45, 88,
                "surgical_or_medical",
                "早期の胃がんと診断された。内視鏡治療と手術のどちらがよいか意見を聞きたい。",
                (_CD, _BLOOD, _PATHOLOGY)),
    CaseProfile("大腸がん", "外科", ("消化器内科", "内科", "外科"), None, 45, 88,
                "major_operation",
                "大腸がんで開腹手術を勧められている。腹腔鏡手術が可能か意見を聞きたい。",
                (_CD, _BLOOD, _PATHOLOGY)),
    CaseProfile("胆石症", "外科", ("消化器内科", "内科", "外科"), None, 35, 85,
                "surgical_or_medical",
                "胆石症で手術を勧められたが、薬で様子を見る方法もあると聞き迷っている。",
                (_ECHO, _BLOOD, _CD)),
    CaseProfile("肝細胞がん", "消化器内科", ("消化器内科", "内科"), None, 50, 88,
                "surgical_or_medical",
                "肝細胞がんで、手術とラジオ波焼灼療法のどちらがよいか迷っている。",
                (_CD, _BLOOD, _ECHO)),
    CaseProfile("肺がん（非小細胞肺がん）", "腫瘍内科", ("呼吸器内科", "内科"), None, 50, 88,
                "other_treatment",
                "肺がんの化学療法中。免疫療法など他の選択肢があるか意見を聞きたい。",
                (_CD, _PATHOLOGY, _BLOOD, _FILM)),
    CaseProfile("膵臓がん", "腫瘍内科", ("消化器内科", "内科"), None, 55, 90, "other",
                "膵臓がんと診断され抗がん剤治療を勧められた。高齢のため治療を受けるべきか"
                "意見を聞きたい。",
                (_CD, _BLOOD, _PATHOLOGY)),
    CaseProfile("乳がん", "乳腺外科", ("乳腺外科", "外科"), "female", 35, 80, "major_operation",
                "乳がんで全摘出を勧められた。温存手術の可能性について相談したい。",
                (_PATHOLOGY, _ECHO, _CD, _FILM)),
    CaseProfile("前立腺がん", "泌尿器科", ("泌尿器科", "内科"), "male", 55, 88, "other_treatment",
                "前立腺がんの治療で、放射線治療以外の方法があるか知りたい。",
                (_PATHOLOGY, _BLOOD, _CD)),
    CaseProfile("狭心症", "循環器内科", ("内科",), None, 50, 88, "surgical_or_medical",
                "狭心症でカテーテル治療を勧められた。薬物療法を続ける選択肢について相談したい。",
                (_CD, _BLOOD)),
    CaseProfile("未破裂脳動脈瘤", "脳神経外科", ("内科",), None, 40, 80, "major_operation",
                "脳動脈瘤が見つかり手術を勧められている。経過観察でよいか知りたい。",
                (_CD, _FILM)),
    CaseProfile("間質性肺炎", "呼吸器内科", ("呼吸器内科", "内科"), None, 55, 88, "other",
                "間質性肺炎と診断されたが納得できず、別の専門医の意見を聞きたい。",
                (_CD, _BLOOD, _FILM)),
    # Children and teenagers (their family consults with proof of the relationship).
    CaseProfile("もやもや病", "脳神経外科", ("小児科",), None, 6, 17, "major_operation",
                "もやもや病と診断され血行再建術を勧められている。手術の時期と必要性について"
                "意見を聞きたい。",
                (_CD, _FILM)),
    CaseProfile("潰瘍性大腸炎", "消化器内科", ("小児科", "消化器内科"), None, 12, 40,
                "other_treatment",
                "潰瘍性大腸炎の薬が効きにくくなってきた。生物学的製剤など他の治療法について"
                "相談したい。",
                (_BLOOD, _CD, _PATHOLOGY)),
)  # fmt: skip


# What a caller who is turned away asked, by the exclusion reason's code: the case's
# consultation text says why it ended (a 転医希望 case asks to change hospital).
EXCLUDED_CONSULTATIONS: dict[str, tuple[str, ...]] = {
    "complaint": (
        "主治医の説明が不十分で態度にも不満がある。主治医の対応について話を聞いてほしい。",
        "検査結果を知らされるのが遅れたことに納得できず、主治医への不満を聞いてほしい。",
    ),
    "transfer": (
        "今の病院では通院が大変なので、そちらの病院に転院して治療を受けたい。",
        "主治医を変えたい。転医してそちらで手術を受けられるか知りたい。",
    ),
    "accident_lawsuit": (
        "手術後に合併症が起きた。医療事故ではないか、訴訟を考えているので意見がほしい。",
    ),
    "general_outpatient": (
        "健康診断で異常を指摘されたが、まだどこも受診していない。検査を受けたい。",
        "最近続いている症状の原因を調べてほしい。まだ診断はついていない。",
    ),
}
# Reasons a second-opinion doctor gives for 不可 (お断り) after reading the application.
DECLINE_REASONS: tuple[str, ...] = (
    "ご相談の内容が担当医の専門領域外のため",
    "検査が途中で診断が確定しておらず、現時点では意見を述べられないため",
)


# The demo database's accounts (login, name, role, password, its argon2id hash). The
# passwords are public (README): they exist to try the roles. The hashes are fixed so that
# building a demo costs no hashing; the window opens signed in as the first, the demo clerk.
DEMO_ACCOUNTS = (
    (
        "uketsuke", "デモ 受付", "reception", "demo-uketsuke",
        "$argon2id$v=19$m=65536,t=3,p=4$gr6cuMrR+lGISGo4AyzWhw$"
        "oIxx6MnSQBztkqSI6KFfB1lm86wAvnw0wnJddAbH7jE",
    ),
    (
        "ishi", "デモ 医師", "doctor", "demo-ishi",
        "$argon2id$v=19$m=65536,t=3,p=4$0zf8WIbLWn0gjqzEYBDnxw$"
        "jGRmKW+41BslJaohvatT+qDoV+QpcjtlNMgByi3FSgc",
    ),
    (
        "kanri", "デモ 管理者", "admin", "demo-kanri",
        "$argon2id$v=19$m=65536,t=3,p=4$1cgzS1FI2Tp9tE9m4KYvBA$"
        "Fq1+K+HOXrnUj2u84ZNXbm0xosMUzM9pHgSkWyWfmoo",
    ),
)  # fmt: skip
DEMO_CLERK = DEMO_ACCOUNTS[0][0]
