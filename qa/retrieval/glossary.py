"""English words of government reports, in Chinese, so English questions find Chinese figures.

A small general vocabulary of Chinese government work reports, not of one report.
"""

from __future__ import annotations

import re

GLOSSARY = {
    "administrative": "行政", "administration": "行政", "licensing": "许可", "license": "许可",
    "licence": "许可", "permit": "许可", "items": "事项", "item": "事项", "matters": "事项",
    "reconsideration": "复议", "review": "复议", "upheld": "维持", "uphold": "维持", "maintained": "维持",
    "rejected": "驳回", "dismissed": "驳回", "withdrawn": "撤回", "revoked": "撤销", "cases": "案件",
    "case": "案件", "lawsuits": "诉讼", "litigation": "诉讼", "defendant": "被告", "won": "胜诉",
    "concluded": "结案", "closed": "办结", "accepted": "受理", "received": "接收",
    "mediation": "调解", "mediated": "调解", "disputes": "纠纷", "dispute": "争议", "civil": "民事",
    "enforcement": "执法", "law": "法", "legal": "法律", "lawyers": "律师", "lawyer": "律师",
    "advisers": "顾问", "advisors": "顾问", "opinions": "意见", "opinion": "意见",
    "inspections": "巡检", "inspection": "检查", "penalty": "处罚", "penalties": "处罚",
    "supervision": "监督", "documents": "文件", "document": "文件", "normative": "规范性",
    "decisions": "决策", "decision": "决策", "major": "重大", "procedures": "流程", "workflow": "流程",
    "staff": "编制", "posts": "编制", "quota": "编制", "personnel": "人员", "officers": "人员",
    "units": "单位", "departments": "部门", "department": "部门", "agencies": "单位",
    "streets": "街道", "subdistricts": "街道", "subdistrict": "街道", "street": "街道",
    "teams": "队伍", "team": "队伍", "certificates": "证件", "certificate": "证件",
    "online": "网上办", "immediately": "马上办", "once": "一次办", "proportion": "比例", "share": "比例",
    "ratio": "比例", "rate": "率", "percentage": "比例", "increase": "增加", "increased": "增加",
    "grew": "增长", "growth": "增长", "decrease": "减少", "reduced": "减少", "cut": "精简",
    "streamlined": "精简", "proposals": "提案", "suggestions": "建议", "deputies": "代表",
    "congress": "人大", "cppcc": "政协", "information": "信息", "disclosure": "公开", "public": "公开",
    "requests": "申请", "applications": "申请", "replies": "答复", "columns": "专栏",
    "problems": "问题", "issues": "问题", "shortcomings": "不足", "meetings": "会议", "meeting": "会议",
    "instructions": "批示", "topics": "议题", "training": "培训", "budget": "预算", "revenue": "收入",
    "population": "人口", "residents": "常住人口", "gdp": "地区生产总值", "district": "区",
    "government": "政府", "service": "服务", "center": "中心", "centre": "中心", "approval": "审批",
    "list": "清单", "notices": "通报", "reminders": "提示", "teachers": "教师", "schools": "学校",
}
# Phrases go first: "public lawyers" is 公职律师, not 公开 律师.
PHRASES = {
    "public lawyers": "公职律师", "public lawyer": "公职律师", "legal advisers": "法律顾问",
    "legal advisors": "法律顾问", "legal adviser": "法律顾问", "administrative reconsideration": "行政复议",
    "people's congress": "人大", "law-based government": "法治政府", "rule of law": "法治",
    "rule-of-law": "法治", "next year": "下一步", "work plan": "工作安排", "next steps": "下一步工作",
    "one-stop": "一次办", "information disclosure": "信息公开", "normative documents": "规范性文件",
    "law enforcement": "执法", "first-instance": "一审", "first instance": "一审",
}
_PHRASE = re.compile("|".join(sorted(map(re.escape, PHRASES), key=len, reverse=True)))
_WORD = re.compile(r"[a-z]+")


def translate(text: str) -> str:
    """Replace the English words this glossary knows with their Chinese; leave the rest."""
    if not _WORD.search(text):
        return text  # nothing to translate: spaces a question's words stand between stay
    text = _PHRASE.sub(lambda m: PHRASES[m.group()] + " ", text)
    text = _WORD.sub(lambda m: GLOSSARY.get(m.group(), m.group()) + " ", text)
    # "行政 复议 案件" → "行政复议案件", so jieba finds the compound as a Chinese question would have it.
    return re.sub(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])", "", text)
