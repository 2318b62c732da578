"""Demo data for the catalogue and booking: 40 items over four stages, six one-thing bundles, slots
over the next ten working days, a past month of reviewed bookings and the youth zone's two windows.
Needs the hall's departments (``portal.hall.demo``) first. Idempotent."""
from datetime import datetime, time, timedelta

from django.utils import timezone

from portal.demo import demo_english, demo_user
from portal.hall.models import Department
from portal.hall.workdays import add_working_days
from portal.roles import Role
from services.actions import (
    booking_create,
    precheck_upload_accept,
    precheck_upload_create,
    precheck_upload_request_correction,
    queue_call_next,
    queue_walk_in,
    slot_open_bulk,
)
from services.models import (
    Booking,
    BookingEvent,
    Bundle,
    BundleItem,
    Evaluation,
    Material,
    PrecheckEvent,
    PrecheckFile,
    PrecheckUpload,
    QueueTicket,
    ServiceItem,
    Slot,
    Step,
    Window,
    Zone,
)

# What items issue: registering a company or a sole trader issues the business licence (营业执照),
# so a later item of the same bundle needs nothing uploaded or brought for it.
ISSUES = {"r01": ["licence"], "r02": ["licence"]}

# Every handling step an item goes through. The five joint steps are done once for a whole bundle
# in the youth zone; review and decision stay with each item (a few complex items split them in two).
JOINT_STEPS = ["网上申请", "统一预审", "窗口受理", "材料核验", "制证出件", "证照送达"]

MATERIALS = {
    "id": ("身份证", "申请人本人有效身份证件"),
    "photo": ("近期免冠照片", "白底一寸"),
    "lease": ("租赁合同", "经营场所或住房租赁合同"),
    "deed": ("房屋产权证明", "不动产权证书或购房合同"),
    "licence": ("营业执照", "已取得营业执照的提供副本"),
    "charter": ("公司章程", ""),
    "plan": ("经营场所平面图", "标明功能分区"),
    "health": ("从业人员健康证明", ""),
    "food_rules": ("食品安全管理制度", ""),
    "bank": ("银行账户信息", ""),
    "labour": ("劳动合同", ""),
    "degree": ("学历学位证书", ""),
    "bizplan": ("创业计划书", ""),
    "vehicle": ("车辆行驶证", ""),
    "fire_list": ("消防设施清单", ""),
    "hukou": ("户口簿", ""),
    "social": ("社保缴费证明", ""),
    "finance": ("财务报表", ""),
    "ip": ("知识产权证明", "专利证书、软件著作权等"),
    "incubator": ("孵化协议", "与孵化基地签订的入驻协议"),
}

# code, name, stage, department, legal days, promised days, visits, fee, bookable, materials, own steps
ITEMS = [
    ("h01", "人才公寓租住申请", "housing", "housing", 20, 10, 1, 0, True, ["id", "degree", "labour"], 1),
    ("h02", "青年人才落户", "housing", "hukou", 15, 5, 1, 0, True, ["id", "hukou", "degree", "labour"], 1),
    ("h03", "居住证办理", "housing", "hukou", 15, 7, 1, 0, True, ["id", "photo", "lease"], 1),
    ("h04", "住房租赁合同备案", "housing", "housing", 5, 1, 1, 0, False, ["id", "lease", "deed"], 1),
    ("h05", "住房公积金缴存登记", "housing", "housing", 5, 1, 1, 0, False, ["id", "licence", "labour"], 1),
    ("h06", "人才安居补贴申领", "housing", "hrss", 30, 15, 2, 0, True, ["id", "degree", "social", "lease"], 1),
    ("h07", "子女入学居住证明", "housing", "hukou", 10, 3, 1, 0, False, ["id", "hukou", "lease"], 1),
    ("h08", "社会保险参保登记", "housing", "hrss", 5, 1, 1, 0, False, ["id", "labour"], 1),
    ("h09", "医疗保险参保登记", "housing", "hrss", 5, 1, 1, 0, False, ["id", "photo"], 1),
    ("h10", "户口迁入", "housing", "hukou", 20, 7, 2, 0, True, ["id", "hukou", "photo", "deed"], 2),
    ("r01", "企业设立登记（营业执照）", "registration", "market", 3, 1, 1, 0, True, ["id", "charter", "lease"], 1),
    ("r02", "个体工商户登记", "registration", "market", 3, 1, 2, 0, True, ["id", "lease", "photo"], 1),
    ("r03", "公章刻制备案", "registration", "hukou", 3, 1, 1, 0, False, ["id", "licence"], 1),
    ("r04", "税务登记与发票申领", "registration", "tax", 5, 1, 1, 0, False, ["id", "licence", "bank"], 1),
    ("r05", "食品经营许可", "registration", "market", 20, 10, 2, 0, True, ["id", "licence", "lease", "plan", "health", "food_rules"], 2),
    ("r06", "公共场所卫生许可", "registration", "health", 20, 7, 1, 0, True, ["id", "licence", "plan", "health"], 1),
    ("r07", "公众聚集场所投入使用前消防安全检查", "registration", "fire", 10, 5, 1, 0, True, ["id", "licence", "plan", "fire_list"], 1),
    ("r08", "道路货物运输经营许可", "registration", "commerce", 20, 10, 2, 0, True, ["id", "licence", "vehicle", "labour"], 2),
    ("r09", "酒类流通备案", "registration", "commerce", 10, 3, 1, 0, False, ["id", "licence", "lease"], 1),
    ("r10", "用人单位社保登记", "registration", "hrss", 5, 1, 1, 0, False, ["licence", "bank", "labour"], 1),
    ("p01", "一次性创业补贴", "policy", "hrss", 30, 15, 1, 0, True, ["id", "licence", "social", "bank"], 1),
    ("p02", "创业担保贷款", "policy", "hrss", 30, 20, 2, 0, True, ["id", "licence", "bizplan", "finance"], 2),
    ("p03", "创业场地租金补贴", "policy", "science", 30, 15, 1, 0, False, ["licence", "lease", "incubator", "bank"], 1),
    ("p04", "孵化基地入驻申请", "policy", "science", 15, 7, 2, 0, True, ["id", "licence", "bizplan"], 1),
    ("p05", "大学生创业项目资助", "policy", "youth", 30, 20, 1, 0, True, ["id", "degree", "bizplan", "licence"], 1),
    ("p06", "吸纳就业补贴", "policy", "hrss", 30, 15, 1, 0, False, ["licence", "labour", "social", "bank"], 1),
    ("p07", "科技型中小企业评价", "policy", "science", 20, 10, 1, 0, False, ["licence", "finance", "ip"], 1),
    ("p08", "高新技术企业培育入库", "policy", "science", 30, 20, 2, 0, True, ["licence", "finance", "ip", "labour"], 1),
    ("p09", "青年创业导师对接", "policy", "youth", 10, 5, 1, 0, True, ["id", "bizplan"], 1),
    ("p10", "失业保险稳岗返还", "policy", "hrss", 20, 10, 1, 0, False, ["licence", "social", "bank"], 1),
    ("g01", "企业年度报告公示", "growth", "market", 5, 1, 1, 0, False, ["licence", "finance"], 1),
    ("g02", "企业变更登记", "growth", "market", 3, 1, 1, 0, True, ["id", "licence", "charter"], 1),
    ("g03", "增值税一般纳税人登记", "growth", "tax", 5, 1, 1, 0, False, ["licence", "finance"], 1),
    ("g04", "出口退（免）税备案", "growth", "tax", 10, 3, 1, 0, False, ["licence", "bank"], 1),
    ("g05", "商标注册申请指导", "growth", "market", 10, 5, 1, 0, True, ["id", "licence"], 1),
    ("g06", "专利申请辅导", "growth", "science", 10, 5, 1, 0, True, ["id", "ip"], 1),
    ("g07", "食品经营许可延续", "growth", "market", 20, 7, 1, 0, False, ["licence", "health", "food_rules"], 1),
    ("g08", "劳动用工备案", "growth", "hrss", 5, 1, 1, 0, False, ["licence", "labour"], 1),
    ("g09", "企业信用修复", "growth", "market", 15, 5, 1, 0, True, ["licence", "finance"], 1),
    ("g10", "企业简易注销", "growth", "market", 10, 3, 1, 0, True, ["id", "licence"], 1),
]

# slug, name, summary, [(item code, needs first)]
BUNDLES = [
    ("restaurant", "青创+餐饮企业一件事", "开一家餐馆：执照、许可、消防、税务、社保一次办",
     [("r01", None), ("r04", "r01"), ("r05", "r01"), ("r06", "r01"), ("r07", "r01"), ("r10", "r01")]),
    ("incubation", "青创+孵化一件事", "入驻孵化基地并申领创业扶持",
     [("r01", None), ("p04", "r01"), ("p03", "p04"), ("p01", "r01"), ("p05", None), ("r04", "r01")]),
    ("logistics", "青创+物流一件事", "开办物流公司：执照、道路运输许可、刻章、税务、社保",
     [("r01", None), ("r08", "r01"), ("r03", "r01"), ("r04", "r01"), ("r10", "r01")]),
    ("settle", "青创+安居一件事", "来区创业的青年人才安居落户",
     [("h02", None), ("h03", None), ("h01", None), ("h04", None), ("h06", "h01"), ("h08", None)]),
    ("tech", "青创+科技企业一件事", "科技型初创企业：登记、评价、入库与知识产权",
     [("r01", None), ("p07", "r01"), ("p08", "p07"), ("g06", None), ("r04", "r01")]),
    ("retail", "青创+个体门店一件事", "个体门店：登记、酒类备案、税务与用工",
     [("r02", None), ("r09", "r02"), ("r04", "r02"), ("g08", "r02"), ("h08", None)]),
]

# The catalogue in English (Chinese -> English), filled in where staff have not typed their own.
STEPS_EN = {
    "网上申请": "Online application", "统一预审": "Joint pre-check", "窗口受理": "Acceptance at the window",
    "材料核验": "Checking the materials", "制证出件": "Issuing the certificate", "证照送达": "Delivering the certificate",
    "审查决定": "Review and decision", "审查": "Review", "决定": "Decision",
}
MATERIALS_EN = {
    "身份证": ("ID card", "The applicant's own valid ID card"),
    "近期免冠照片": ("Recent passport photo", "One-inch, white background"),
    "租赁合同": ("Lease", "Lease of the business premises or the home"),
    "房屋产权证明": ("Proof of property ownership", "Real estate certificate or purchase contract"),
    "营业执照": ("Business licence", "A copy, if a business licence has been issued"),
    "公司章程": ("Articles of association", ""),
    "经营场所平面图": ("Floor plan of the premises", "With the functional areas marked"),
    "从业人员健康证明": ("Staff health certificates", ""),
    "食品安全管理制度": ("Food safety management rules", ""),
    "银行账户信息": ("Bank account details", ""),
    "劳动合同": ("Employment contract", ""),
    "学历学位证书": ("Degree certificates", ""),
    "创业计划书": ("Business plan", ""),
    "车辆行驶证": ("Vehicle registration certificate", ""),
    "消防设施清单": ("List of fire safety equipment", ""),
    "户口簿": ("Household register", ""),
    "社保缴费证明": ("Proof of social insurance payments", ""),
    "财务报表": ("Financial statements", ""),
    "知识产权证明": ("Proof of intellectual property", "Patent certificates, software copyrights and the like"),
    "孵化协议": ("Incubation agreement", "The admission agreement signed with the incubator"),
}
ITEMS_EN = {
    "h01": "Talent apartment rental application", "h02": "Residence registration for young talent",
    "h03": "Residence permit", "h04": "Registration of a housing lease", "h05": "Housing provident fund registration",
    "h06": "Talent housing subsidy", "h07": "Proof of residence for school enrolment",
    "h08": "Social insurance registration", "h09": "Medical insurance registration", "h10": "Moving a household registration in",
    "r01": "Company registration (business licence)", "r02": "Sole proprietorship registration",
    "r03": "Registering a company seal", "r04": "Tax registration and invoices", "r05": "Food business permit",
    "r06": "Public venue hygiene permit", "r07": "Fire safety inspection before a public venue opens",
    "r08": "Road freight transport permit", "r09": "Liquor distribution filing",
    "r10": "Employer social insurance registration", "p01": "One-off start-up subsidy", "p02": "Start-up guaranteed loan",
    "p03": "Start-up premises rent subsidy", "p04": "Application to join an incubator",
    "p05": "Funding for student start-up projects", "p06": "Subsidy for hiring", "p07": "Tech SME evaluation",
    "p08": "High-tech enterprise incubation list", "p09": "Matching with a start-up mentor",
    "p10": "Unemployment insurance refund for keeping jobs", "g01": "Annual report publication",
    "g02": "Company change registration", "g03": "General VAT taxpayer registration",
    "g04": "Export tax refund (exemption) filing", "g05": "Guidance on trademark registration",
    "g06": "Coaching for patent applications", "g07": "Renewal of a food business permit",
    "g08": "Employment filing", "g09": "Company credit repair", "g10": "Simplified company deregistration",
}
BUNDLES_EN = {
    "restaurant": ("Youth start-up + restaurant (one thing)", "Open a restaurant: licence, permits, fire safety, tax and social insurance at once"),
    "incubation": ("Youth start-up + incubation (one thing)", "Join an incubator and apply for start-up support"),
    "logistics": ("Youth start-up + logistics (one thing)", "Open a logistics company: licence, road transport permit, seal, tax and social insurance"),
    "settle": ("Youth start-up + settling in (one thing)", "Housing and residence for young talent starting a business here"),
    "tech": ("Youth start-up + tech company (one thing)", "A tech start-up: registration, evaluation, incubation list and intellectual property"),
    "retail": ("Youth start-up + shop (one thing)", "A sole proprietor's shop: registration, liquor filing, tax and employment"),
}


def _seed_english() -> None:
    item_names = {code: name for code, name, *_rest in ITEMS}
    bundle_texts = {slug: (name, summary) for slug, name, summary, _entries in BUNDLES}
    demo_english(Material, {
        "name": {zh: en for zh, (en, _d) in MATERIALS_EN.items()},
        "description": {MATERIALS[key][1]: MATERIALS_EN[name][1] for key, (name, _d) in MATERIALS.items() if MATERIALS[key][1]},
    })
    demo_english(ServiceItem, {"name": {item_names[code]: en for code, en in ITEMS_EN.items()}})
    demo_english(Step, {"name": STEPS_EN})
    demo_english(Bundle, {
        "name": {bundle_texts[slug][0]: en for slug, (en, _s) in BUNDLES_EN.items()},
        "summary": {bundle_texts[slug][1]: summary for slug, (_n, summary) in BUNDLES_EN.items()},
    })


SLOT_TIMES = ["09:00-09:30", "09:30-10:00", "10:00-10:30", "10:30-11:00", "14:00-14:30", "14:30-15:00", "15:00-15:30", "15:30-16:00"]


def _seed_catalogue() -> None:
    materials = {
        key: Material.objects.get_or_create(name=name, defaults={"description": description})[0]
        for key, (name, description) in MATERIALS.items()
    }
    departments = {d.code: d for d in Department.objects.all()}
    items = {}
    for position, (code, name, stage, dept, legal, promised, visits, fee, bookable, needs, own) in enumerate(ITEMS):
        item, created = ServiceItem.objects.get_or_create(
            code=code,
            defaults={
                "name": name, "stage": stage, "department": departments[dept], "legal_days": legal,
                "promised_days": promised, "visits": visits, "fee": fee, "bookable": bookable, "position": position,
            },
        )
        items[code] = item
        item.issues_materials.add(*[materials[key] for key in ISSUES.get(code, [])])
        if created:
            item.materials.set([materials[key] for key in needs])
            own_steps = ["审查决定"] if own == 1 else ["审查", "决定"]
            steps = [(name, Step.Kind.JOINT) for name in JOINT_STEPS[:4]] + [
                (name, Step.Kind.OWN) for name in own_steps
            ] + [(name, Step.Kind.JOINT) for name in JOINT_STEPS[4:]]
            Step.objects.bulk_create(
                [Step(item=item, position=n, name=step, kind=kind) for n, (step, kind) in enumerate(steps)]
            )
    for position, (slug, name, summary, entries) in enumerate(BUNDLES):
        bundle, created = Bundle.objects.get_or_create(
            slug=slug, defaults={"name": name, "summary": summary, "position": position}
        )
        if created:
            BundleItem.objects.bulk_create(
                [
                    BundleItem(bundle=bundle, item=items[code], position=n, requires=items[first] if first else None)
                    for n, (code, first) in enumerate(entries)
                ]
            )


def _seed_slots() -> int:
    """Slots for every bundle (and a few items) over the next 10 working days."""
    today = timezone.localdate()
    first = add_working_days(today, 1)
    last = add_working_days(today, 10)
    times = [
        tuple(datetime.strptime(part, "%H:%M").time() for part in pair.split("-")) for pair in SLOT_TIMES
    ]
    opened = 0
    for bundle in Bundle.objects.all():
        opened += slot_open_bulk(
            bundle=bundle, date_from=first, date_to=last, weekdays=range(5), times=times, capacity=4
        )[0]
    for item in ServiceItem.objects.filter(code__in=["r02", "h03", "g10"]):
        opened += slot_open_bulk(
            item=item, date_from=first, date_to=last, weekdays=range(5), times=times[:2], capacity=2
        )[0]
    return opened


def _seed_bookings() -> None:
    """A past month of completed and rated bookings (好差评, one bad review in rectification) and one coming visit."""
    founder = demo_user("founder", "林小创", [Role.ENTREPRENEUR], company="青禾餐饮管理有限公司")
    youths = [
        demo_user(f"youth{n:02d}", name, [Role.ENTREPRENEUR])
        for n, name in enumerate(["张晓阳", "李思远", "王一诺", "赵子涵", "陈可欣", "刘浩然", "杨雨桐", "黄嘉怡", "周子墨", "吴梓萱", "徐晨曦", "孙语桐"])
    ]
    bundles = list(Bundle.objects.order_by("position"))
    stars = [5, 5, 5, 4, 5, 5, 5, 5, 4, 5, 5, 5]
    comments = ["一次就办好了，比想象中快很多", "工作人员很耐心", "材料只交了一次", "", "青年专区环境很好", "", "帮办员全程陪同", "", "等候时间短", "", "推荐给身边创业的朋友", ""]
    start_day = timezone.localdate() - timedelta(days=30)
    for n, youth in enumerate(youths):
        reference = f"DEM{REFERENCE_DEMO[n]}"
        if Booking.objects.filter(reference=reference).exists():
            continue
        bundle = bundles[n % len(bundles)]
        starts = timezone.make_aware(datetime.combine(start_day + timedelta(days=n * 2), time(9 + n % 6, 0)))
        slot, _created = Slot.objects.get_or_create(
            bundle=bundle, starts_at=starts, defaults={"ends_at": starts + timedelta(minutes=30), "capacity": 4}
        )
        Slot.objects.filter(pk=slot.pk).update(booked_count=slot.booked_count + 1)
        # Two of the twelve had to come back; those who pre-checked came once (the 最多跑一次 figure).
        booking = Booking.objects.create(reference=reference, user=youth, slot=slot, status=Booking.Status.COMPLETED,
                                         settled_in_one_visit=n not in (3, 8))
        if n % 2 == 0:
            _record_past_precheck(booking)
        BookingEvent.objects.bulk_create([
            BookingEvent(booking=booking, to_status="booked", by=youth),
            BookingEvent(booking=booking, from_status="booked", to_status="checked_in"),
            BookingEvent(booking=booking, from_status="checked_in", to_status="completed"),
        ])
        if n == len(youths) - 1:
            _seed_bad_review(booking)
        else:
            Evaluation.objects.create(booking=booking, stage=Evaluation.Stage.COMPLETION, grade=stars[n],
                                      comment=comments[n], created_at=booking.slot.ends_at + timedelta(hours=1),
                                      item=booking.slot.bundle.bundle_items.order_by("position").first().item,
                                      department=booking.slot.bundle.bundle_items.order_by("position")
                                      .first().item.department)
    if not Booking.objects.filter(user=founder, status=Booking.Status.BOOKED).exists():
        restaurant = Bundle.objects.filter(slug="restaurant").first()
        slot = Slot.objects.filter(bundle=restaurant, starts_at__gt=timezone.now(), is_open=True).order_by("starts_at").first()
        if slot is not None:
            booking_create(slot=slot, bundle=restaurant, note="青禾餐饮管理有限公司，想咨询餐饮开店", by=founder)


def _seed_bad_review(booking: Booking) -> None:
    """One bad review (不满意), its rectification opened for the item's department and called back:
    the outcome is still owed (a rectification in progress)."""
    from services.actions import evaluation_create, rectification_callback

    evaluation = evaluation_create(booking=booking, stage=Evaluation.Stage.COMPLETION, grade=2,
                                   comment="等候时间太长，窗口对补充材料的要求解释不清楚", by=booking.user)
    rectification = getattr(evaluation, "rectification", None)
    officer = rectification.department.officers.filter(is_active=True).first() if rectification else None
    if officer is not None:
        rectification_callback(rectification=rectification, contacted=True, by=officer,
                               note="已电话回访：高峰时段只开一个窗口，补充材料清单未书面告知。")


def _record_past_precheck(booking: Booking) -> None:
    """A past visit's pre-check as it looks after retention: the record of what was checked, no file."""
    entry = booking.slot.bundle.bundle_items.select_related("item__department").order_by("position").first()
    material = entry.item.materials.order_by("name").first() if entry else None
    if material is None:
        return
    at = booking.slot.starts_at - timedelta(days=2)
    upload = PrecheckUpload.objects.create(
        booking=booking, material=material, department=entry.item.department, uploaded_by=booking.user,
        uploaded_at=at, due_at=at + timedelta(days=1), status=PrecheckUpload.Status.ACCEPTED,
        decided_at=at + timedelta(hours=3), files_deleted_at=booking.slot.ends_at,
    )
    PrecheckFile.objects.create(upload=upload, original_name="page-1.jpg", content_type="image/jpeg", size=48_213)
    PrecheckEvent.objects.bulk_create([
        PrecheckEvent(upload=upload, to_status="submitted", by=booking.user, at=at),
        PrecheckEvent(upload=upload, from_status="submitted", to_status="accepted", at=at + timedelta(hours=3)),
    ])


def _demo_photo(name: str):
    """A small real JPEG (a grey "scan"), so the demo files open and pass the content check."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (480, 320), (236, 236, 230))
    ImageDraw.Draw(image).rectangle((24, 24, 456, 296), outline=(120, 120, 120), width=4)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=70)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


# The founder's coming restaurant visit, half pre-checked: four accepted, one sent back, one waiting.
PRECHECK_DEMO = [("id", "accept"), ("charter", "accept"), ("lease", "accept"), ("food_rules", "accept"),
                 ("plan", "correct"), ("health", "wait")]


def _seed_precheck() -> None:
    from portal.accounts.models import User

    founder = User.objects.filter(username="founder").first()
    officer = User.objects.filter(username="officer").first()
    booking = (
        Booking.objects.filter(user=founder, status=Booking.Status.BOOKED, slot__bundle__slug="restaurant")
        .select_related("slot__bundle").order_by("slot__starts_at").first()
    )
    if booking is None or officer is None or PrecheckUpload.objects.filter(booking=booking).exists():
        return
    for key, outcome in PRECHECK_DEMO:
        material = Material.objects.get(name=MATERIALS[key][0])
        upload = precheck_upload_create(booking=booking, material=material, files=[_demo_photo(f"{key}-1.jpg")],
                                        by=founder)
        if outcome == "accept":
            precheck_upload_accept(upload=upload, by=officer)
        elif outcome == "correct":
            precheck_upload_request_correction(upload=upload, by=officer, reason="incomplete",
                                               reason_text="请标明厨房与就餐区的功能分区")


def _seed_queue() -> None:
    """The youth zone (letter A) with two windows, the demo hall staff member at both: window 1 for
    the first half of the catalogue, window 2 for the rest. On a
    day without numbers yet, three walk-ins are given one and window 1 calls the first, so the
    calling screen and the desk show something."""
    from portal.accounts.models import User

    staff = User.objects.filter(username="staff").first()
    zone, _created = Zone.objects.get_or_create(letter="A", defaults={"name": "青年专区", "name_en": "Youth zone"})
    items = list(ServiceItem.objects.order_by("position"))
    half = len(items) // 2
    windows = []
    for number, part in ((1, items[:half]), (2, items[half:])):
        window, created = Window.objects.get_or_create(number=number, defaults={"zone": zone})
        if created:
            window.items.set(part)
            if staff is not None:
                window.staff.add(staff)
        windows.append(window)
    if staff is None or QueueTicket.objects.filter(day=timezone.localdate()).exists():
        return
    for item in items[:3]:
        queue_walk_in(item=item, by=staff)
    queue_call_next(window=windows[0], by=staff)


REFERENCE_DEMO = ["AAA", "AAB", "AAC", "AAD", "AAE", "AAF", "AAG", "AAH", "AAJ", "AAK", "AAM", "AAN"]


def seed() -> str:
    _seed_catalogue()
    _seed_english()
    _seed_slots()
    _seed_bookings()
    _seed_precheck()
    _seed_queue()
    return (
        f"{ServiceItem.objects.count()} service items, {Bundle.objects.count()} bundles, "
        f"{Slot.objects.count()} slots, {Booking.objects.count()} bookings"
    )
