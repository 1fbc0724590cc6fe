"""セカンドオピニオン外来のご案内: the hospital's guide, its numbers taken from the settings."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Frame, Spacer

from desktop_app.domain.fees import fee_words
from desktop_app.domain.forms import REFERRAL_NAME, FormKind
from desktop_app.printing.context import (
    CONTENT_BOTTOM,
    FormContext,
    draw_title,
    finish_page,
    start_page,
)
from desktop_app.printing.layout import CONTENT_W, LEFT, TOP, TextBlock
from desktop_app.printing.linebreak import keep, plain

TITLE = "セカンドオピニオン外来のご案内"
BODY = 10.0
HEAD = 11.5


def guide_sections(ctx: FormContext) -> list[tuple[str, list[str]]]:
    """The guide as (heading, paragraphs); '■'/'※'/digits start indented items."""
    s = ctx.settings
    tel = ctx.phone(s.tel)
    office = f"{s.hospital_name}{s.office_name}"
    return [
        (
            "セカンドオピニオンとは",
            [
                "セカンドオピニオンとは、患者さんが、主治医の意見に加えて、主治医以外の医師の意見"
                "（第２の意見）を求めることです。主治医以外の医師の意見を聞き、ご自身の治療に際しての"
                "参考にしていただくことが目的です。",
            ],
        ),
        (
            "セカンドオピニオン外来",
            [
                "当院では、セカンドオピニオンの提供を専門に行う外来を開設しています。",
                "セカンドオピニオン外来では、当院以外の医療機関を受診している患者さんに対し、患者さんの"
                "主治医の先生から提供していただいた資料や、患者さんご自身のお話を聞いて、診断内容や"
                "治療法に関して当院の専門医の意見を提供します。このため、主治医の先生の紹介状"
                "（情報提供書）が原則必要となります。当院にて新たな検査や治療は行いません。",
                "なお、セカンドオピニオンは病院や医師を変えることではありませんので、その場で転医"
                "（医師を変えること）をお勧めすることはありません。転医をご希望の場合には、セカンド"
                "オピニオン外来の対象にはならず、当院の一般外来の受診となります。",
            ],
        ),
        (
            "対象となる方",
            [
                "当院以外の医療機関を受診している患者さんご本人の受診を原則といたします。",
                "※ご家族だけでいらっしゃる場合は、ご本人の相談同意書が必要となります。",
                "※患者さんが未成年の場合には、続柄を確認できる書類（健康保険証）をお持ちください。",
            ],
        ),
        (
            "対象となる内容の具体例",
            [
                "■外科的治療法と内科的治療法で迷われているとき",
                "■現在の治療法以外の治療法を相談したいとき",
                "■大きな外科的手術を受けるように勧められているとき",
                "※このほかにも対象となる場合がございます。ご連絡いただいた相談内容について、"
                "セカンドオピニオン外来担当医が予め判断したうえで、実際のセカンドオピニオンの可否を"
                "決定いたします。",
            ],
        ),
        (
            "対象とならない事例",
            [
                "以下の場合は、対象外となります。",
                "■ご本人とそのご家族以外のご相談。また、ご家族でもご本人の相談同意書をお持ちでない場合。",
                "■主治医に対するクレームや不満、転医・転院希望、医療事故や訴訟等に関する相談。",
                "■相談内容によってセカンドオピニオン外来よりも一般外来の受診をお勧めするほうがよいと"
                "判断される場合（別途、一般外来の予約をお取りします）。",
                "※このほかにも、内容によってお断りする場合がございますので、ご了承ください。",
            ],
        ),
        (
            "担当医",
            [
                "担当する医師は、当院の医師のなかから、専門性を考慮して当方で決定いたします。",
            ],
        ),
        (
            "時間",
            [
                f"セカンドオピニオンの時間は原則{s.session_minutes}分です。"
                f"最大{s.max_extension_minutes}分の延長ができます。",
                "※セカンドオピニオン終了後、主治医の先生への報告書を作成しますが、報告書作成時間は"
                "セカンドオピニオンの時間に含みません。",
            ],
        ),
        (
            "料金",
            [
                "紹介状を書いていただいた主治医の先生への報告書の作成費を含め、費用は"
                f"{fee_words(s)}（税込）です。",
                "※セカンドオピニオン外来は自由診療で行われます。健康保険は使えませんのでご注意ください。",
                "※料金は、セカンドオピニオン終了後にお支払いいただきます。",
            ],
        ),
        (
            "予約方法",
            [
                f"セカンドオピニオンは完全予約制です。当院の{s.office_name}までご連絡ください。"
                "お申し込みをいただいたのちに、当方からセカンドオピニオンの日時をご連絡いたします。",
                "※お問い合わせ、ご予約には料金はかかりません。キャンセルも可能です。",
            ],
        ),
        (
            "セカンドオピニオンのながれ",
            [
                f"1　お電話にて、{office}（{tel}）にご連絡ください。お電話で内容や送付先を伺った後、"
                "当院より以下の書類をお送りいたします。",
                # Each form's name whole on a line.
                "\u3000".join(
                    keep(f"■{name}")
                    for name in (
                        FormKind.GUIDE.label,
                        FormKind.APPLICATION.label,
                        REFERRAL_NAME,
                        "相談同意書（ご家族のみのご相談の場合に必要です）",
                    )
                ),
                "2　「セカンドオピニオン外来申込書」にご記入後、ファックスあるいは郵送にて当院まで"
                "お送りください。その後、当院にてセカンドオピニオンの日時を決定し、ご連絡します。",
                f"3　主治医の先生に、セカンドオピニオンについてお伝えし、「{REFERRAL_NAME}」"
                "を作成していただき、必要な資料（下記「セカンドオピニオンに際して必要な"
                "もの」）を主治医より借りて、セカンドオピニオンの予約日時の"
                f"{s.materials_deadline_days}日前までにご持参ください。",
                "※主治医の先生のご都合もあると思いますので、事前に、主治医の先生にセカンドオピニオンを"
                "する旨ご相談していただくことをおすすめします。",
                "4　セカンドオピニオン当日は、総合案内に「セカンドオピニオン外来受診」とお声をおかけ"
                f"ください。{keep('係の者')}がご案内します。",
                "5　セカンドオピニオン後、主治医の先生へのご報告をお受け取りののち、お会計をお願い"
                "いたします。",
            ],
        ),
        (
            "セカンドオピニオンに際して必要なもの",
            [
                "1　相談者がご本人以外の場合は、「相談同意書」が必要です。但し、患者さんが未成年の"
                "場合は、ご相談者との続柄を示す書類（たとえば健康保険証）で可。",
                f"2　主治医の先生に書いていただいた「{REFERRAL_NAME}」と、"
                "できる限りの検査資料をお借りしてお持ちください。",
                "■血液検査の結果　■超音波検査の結果と画像　"
                "■レントゲン検査、MRI検査、CT検査の実物フィルム（CD-R）　■病理検査の報告書など",
                "※主治医の先生からの情報や検査資料がない場合には一般的なお話しかできず、有効な"
                "セカンドオピニオンは提供できませんので、情報提供書、検査資料を必ずお持ちください。"
                "セカンドオピニオン外来を受診した当日に、当院の一般外来の予約はお取りいただけません。",
            ],
        ),
        (
            "お申込み・お問合せ先",
            [
                f"{s.hospital_name}\u3000{s.office_name}",
                f"所在地：{ctx.office_address}",
                f"電話：{tel}\u3000FAX：{ctx.phone(s.fax)}",
            ],
        ),
    ]


def _story(ctx: FormContext) -> list[Flowable]:
    story: list[Flowable] = []
    for heading, paragraphs in guide_sections(ctx):
        flow: list[Flowable] = [
            Spacer(0, 2.2 * mm),
            TextBlock(f"【{heading}】", HEAD, HEAD * 1.35),
        ]
        for text in paragraphs:
            hang = BODY if plain(text)[0] in "■※123456789" else 0.0
            flow.append(TextBlock(text, BODY, BODY * 1.5, hang=hang))
        # A heading never stands alone at the foot of a page.
        story.append(_Together(flow[:3]))
        story.extend(flow[3:])
    return story


class _Together(Flowable):
    """Flowables that move to the next page together (KeepTogether needs a doc template)."""

    def __init__(self, parts: list[Flowable]) -> None:
        super().__init__()
        self.parts = parts
        self.heights: list[float] = []

    def wrap(self, avail_w: float, avail_h: float) -> tuple[float, float]:
        self.heights = [p.wrap(avail_w, avail_h)[1] for p in self.parts]
        self.width, self.height = avail_w, sum(self.heights)
        return self.width, self.height

    def draw(self) -> None:
        y = self.height
        for part, h in zip(self.parts, self.heights, strict=True):
            y -= h
            part.drawOn(self.canv, 0, y)


def draw_guide(c: Canvas, ctx: FormContext) -> None:
    """At most two A4 pages of flowing text; sender block last."""
    story = _story(ctx)
    page = 1
    while story:
        start_page(c)
        top = TOP
        if page == 1:
            top = draw_title(c, TITLE, TOP, size=18)
        frame = Frame(LEFT, CONTENT_BOTTOM, CONTENT_W, top - CONTENT_BOTTOM, 0, 0, 0, 0)
        if not fill_frame(frame, story, c):
            raise RuntimeError("guide: a paragraph is taller than a page")
        finish_page(c, ctx, f"{page}")
        page += 1


def fill_frame(frame: Frame, story: list[Flowable], c: Canvas) -> bool:
    """Draw flowables into ``frame`` until it is full, splitting the one that straddles it.

    ``Frame.addFromList`` never splits, so a long paragraph would never be placed. Returns
    False when nothing could be placed (the caller must not loop forever).
    """
    placed = False
    while story:
        if frame.add(story[0], c):
            story.pop(0)
            placed = True
            continue
        parts = frame.split(story[0], c)
        if len(parts) < 2 or not frame.add(parts[0], c):
            break
        story[0:1] = parts[1:]
        placed = True
    return placed
