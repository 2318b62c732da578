"""Demo data for the golden-ideas ledger: ideas and blockers in every state, answered by several
departments, with supporters, a merged duplicate, a hidden entry, an overdue one and a case.

Entries are made through the real actions (numbers, history, answers). Idempotent: an entry whose
title is already in the ledger is left as it is, so a second run changes nothing.
"""
from datetime import timedelta

from django.utils import timezone

from portal.demo import demo_user
from portal.hall.models import Department
from portal.roles import Role
from suggestions import actions
from suggestions.models import Suggestion

YOUTH = [
    ("youth01", "张青禾", "青禾文创工作室"),
    ("youth02", "李晨阳", "晨阳物流有限公司"),
    ("youth03", "王思远", "思远科技有限公司"),
    ("youth04", "赵一诺", "一诺餐饮店"),
    ("youth05", "陈嘉怡", "嘉怡电商"),
    ("youth06", "刘子轩", "子轩孵化空间"),
]
OFFICERS = [("officer_tax", "孙税务", "tax"), ("officer_housing", "周住建", "housing"),
            ("officer_hrss", "吴人社", "hrss"), ("officer_hukou", "郑户政", "hukou")]

# (submitter, kind, category, title, content, department code, target state, extras)
ENTRIES = [
    ("founder", "idea", "service", "青年专区周六上午开放",
     "很多创业青年工作日要上班，建议青年专区周六上午开放，集中办理营业执照和社保登记。",
     "market", "implemented", {"answer": "自本月起，青年专区每周六9:00-12:00开放，可办理登记注册类事项。",
                               "resolved": True, "supporters": ["youth01", "youth02", "youth03"]}),
    ("youth04", "blocker", "business_environment", "开办餐饮店需分别跑消防和市场监管",
     "开一家小餐馆，食品经营许可和消防安全检查要分别预约、分别现场核查，前后跑了五次。",
     "market", "adopted", {"answer": "已纳入“青创+餐饮企业一件事”，现场核查合并为一次联合踏勘。",
                           "case": "fire", "supporters": ["youth05", "youth06"]}),
    ("youth02", "idea", "policy", "创业担保贷款申请材料精简",
     "创业担保贷款要交的营业执照复印件、身份证复印件在系统里都能查到，建议免于提交。",
     "hrss", "answered", {"answer": "经核实，营业执照和身份证信息可通过共享平台调取，下一版办事指南将删除这两项材料。"}),
    ("youth03", "blocker", "service", "税务登记与银行开户信息重复填写",
     "新办企业在税务登记和银行开户时要重复填写法人、股东、经营范围等信息。",
     "tax", "implemented", {"answer": "已上线“开办企业一网通办”，登记信息自动推送税务和银行，无需重复填写。",
                            "resolved": False, "supporters": ["youth01"]}),
    ("youth05", "idea", "other", "大厅增设母婴室",
     "带孩子来办事的青年家长较多，建议在大厅二楼增设母婴室。",
     "housing", "not_adopted", {"answer": "大厅现有面积无法改建独立母婴室。",
                                "reason": "大厅为租用场地，结构改造需产权方同意，本年度无法实施。",
                                "redirect": "可使用一楼服务台提供的临时母婴休息区，或联系团区委青年发展部反映。"}),
    ("youth06", "blocker", "policy", "人才公寓申请审核时间过长",
     "提交人才公寓申请一个多月没有结果，也查不到审核进度。",
     "housing", "assigned", {"overdue": True, "supporters": ["youth02", "youth04"]}),
    ("youth01", "idea", "business_environment", "开设青创夜校政策宣讲",
     "建议每月安排一次晚间政策宣讲，讲解创业补贴和税收优惠，方便上班族参加。",
     None, "accepted", {}),
    ("youth02", "idea", "service", "营业执照自助打印",
     "领取营业执照还要到窗口排队，建议设置自助打印机，扫码即可打印。",
     None, "submitted", {"supporters": ["youth03"]}),
    ("youth03", "blocker", "service", "户口迁入需原籍开具证明",
     "人才落户时被要求回原籍开具无犯罪记录证明，往返成本很高。",
     "hukou", "answered", {"answer": "无犯罪记录证明已可在线申请，落户时由户政窗口内部核查，无需本人回原籍开具。"}),
    ("youth05", "idea", "service", "周末能否开放青年专区",
     "周末没有时间办事，希望青年专区周末也能开放。",
     None, "merged", {"into": "青年专区周六上午开放"}),
    ("youth06", "idea", "other", "广告：低价代办执照",
     "加微信低价代办各类执照，包过。",
     None, "hidden", {"reason": "与营商环境无关的广告内容"}),
    ("founder", "idea", "policy", "创业补贴申领进度短信提醒",
     "申请创业补贴后不知道审核到哪一步，建议每个环节发短信提醒。",
     "hrss", "assigned", {"draft": "已与信息中心对接，计划下季度上线短信提醒。"}),
]



def seed() -> str:
    staff = demo_user("staff", "王晓窗", [Role.HALL_STAFF], is_staff=True)
    people = {"founder": demo_user("founder", "林小创", [Role.ENTREPRENEUR], company="青禾餐饮管理有限公司")}
    for username, name, company in YOUTH:
        people[username] = demo_user(username, name, [Role.ENTREPRENEUR], company=company)
    departments = {d.code: d for d in Department.objects.all()}
    officers = {}
    for username, name, code in OFFICERS:
        officers[code] = demo_user(username, name, [Role.DEPARTMENT_OFFICER], is_staff=True)
        if code in departments:
            departments[code].officers.add(officers[code])
    market_officer = demo_user("officer", "陈部门", [Role.DEPARTMENT_OFFICER], is_staff=True)
    officers["market"] = market_officer

    made = 0
    for username, kind, category, title, content, code, target, extra in ENTRIES:
        if Suggestion.objects.filter(title=title).exists():
            continue
        made += 1
        entry = actions.suggestion_submit(by=people[username], kind=kind, category=category, title=title,
                                          content=content)
        for name in extra.get("supporters", []):
            actions.suggestion_support(suggestion=entry, by=people[name])
        if target == "merged":
            original = Suggestion.objects.get(title=extra["into"])
            actions.suggestion_merge(duplicate=entry, original=original, by=staff)
            continue
        if target == "hidden":
            actions.suggestion_hide(suggestion=entry, reason=extra["reason"], by=staff)
            continue
        if target == "submitted":
            continue
        entry = actions.suggestion_accept(suggestion=entry, by=staff)
        if target == "accepted":
            continue
        department = departments[code]
        entry = actions.suggestion_assign(suggestion=entry, department=department, by=staff)
        if extra.get("overdue"):
            # Backdate so the ledger shows what an overdue entry looks like.
            past = timezone.now() - timedelta(days=30)
            Suggestion.objects.filter(pk=entry.pk).update(
                created_at=past, accepted_at=past, answer_due_at=past + timedelta(days=14)
            )
        officer = officers.get(code, market_officer)
        if extra.get("draft"):
            actions.suggestion_answer_draft(suggestion=entry, text=extra["draft"], by=officer)
        if target == "assigned":
            continue
        actions.suggestion_answer_draft(suggestion=entry, text=extra["answer"], by=officer)
        entry = actions.suggestion_answer(suggestion=entry, by=staff)
        if target == "answered":
            continue
        if target == "not_adopted":
            actions.suggestion_decline(suggestion=entry, reason=extra["reason"], redirect=extra["redirect"], by=officer)
        else:
            entry = actions.suggestion_adopt(suggestion=entry, by=officer)
            if target == "implemented":
                actions.suggestion_implement(suggestion=entry, by=officer)
        if "resolved" in extra:
            actions.suggestion_feedback(suggestion=entry, resolved=extra["resolved"], by=entry.submitter)

        if extra.get("case") and extra["case"] in departments:
            actions.suggestion_case_open(suggestion=entry, lead_department=departments[extra["case"]], by=staff)
    return f"{Suggestion.objects.count()} ledger entries ({made} new)"
