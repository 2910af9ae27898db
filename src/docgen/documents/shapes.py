"""The shape of each kind's context, as plain data, for checking templates before they are rendered.

A shape says what a template may write: a dict of field → "text", "number", "flag", a
nested dict (an object: {{ chart.caption }}) or a one-item list holding the shape of the
list's items ({% for task in tasks %}{{ task.owner }}). It is read off the context models,
so a field added to a model is known to the template check at once.
"""
from __future__ import annotations

import re
import types
import typing
from typing import Any, Union

from . import KINDS
from .common import Context

Shape = Union[str, dict[str, Any], list[Any]]


def shape_of(annotation: Any) -> Shape:
    """The shape of a model field's annotation."""
    origin = typing.get_origin(annotation)
    if origin in (Union, types.UnionType):
        kept = [a for a in typing.get_args(annotation) if a is not type(None)]
        return shape_of(kept[0]) if len(kept) == 1 else "any"
    if origin in (list, tuple):
        args = [a for a in typing.get_args(annotation) if a is not Ellipsis]
        return [shape_of(args[0]) if args else "any"]
    if isinstance(annotation, type):
        if issubclass(annotation, Context):
            return {name: shape_of(field.annotation) for name, field in annotation.model_fields.items()}
        if issubclass(annotation, bool):
            return "flag"
        if issubclass(annotation, (int, float)):
            return "number"
        if issubclass(annotation, str):
            return "text"
    return "any"


def context_model(kind: str) -> type[Context]:
    """The context model a kind's build_context returns."""
    return typing.get_type_hints(KINDS[kind].module.build_context)["return"]


def kind_shapes() -> dict[str, dict[str, Any]]:
    """The context shape of every kind rendered from a template (.docx or .html)."""
    return {name: shape_of(context_model(name)) for name, kind in KINDS.items()
            if {"docx", "pdf"} & set(kind.formats)}


# What each variable means, for 说明.md (docgen templates export): by its path (a list's items after the
# list's name: tasks.owner), a kind's own meaning first ("notice:period").
LABELS = {
    "code": "项目编号", "name": "项目名称", "branch": "申报党组织", "category": "项目类别", "lead_unit": "牵头单位",
    "practice_units": "重点实践单位（以顿号分隔）", "leader": "项目负责人", "phone": "联系电话", "members": "项目成员",
    "period": "项目起止时间", "slogan": "项目口号", "central_work": "关联中心工作",
    "background": "立项背景，每段一项", "objectives": "目标任务，每段一项", "measures": "主要措施，每段一项",
    "outcomes": "预期成效，每段一项", "budget": "经费预算（未填为“—”）",
    "profile": "项目概况，每句一项（未填的内容不出现）", "organization": "单位名称（落款）",
    "party_committee": "党委名称（审批栏）", "main_recipient": "主送机关", "title": "文书标题", "subtitle": "副标题",
    "date": "成文日期", "year": "年度", "signature": "落款单位",
    "tasks": "任务分解，每项一个任务", "tasks.seq": "任务序号", "tasks.content": "任务内容", "tasks.owner": "责任人",
    "tasks.deadline": "完成时限", "tasks.period": "起止时间", "tasks.quality_standard": "质量标准",
    "tasks.target": "预期目标", "tasks.percent": "完成比例", "tasks.planned": "按时间应完成的比例",
    "tasks.status": "完成情况", "tasks.flag": "提示（逾期、临近时限）", "tasks.flag_class": "提示的样式名（PDF 用）",
    "tasks.done": "是否已完成",
    "gantt": "进度甘特图，每块一段月份", "gantt.caption": "图题", "gantt.months": "月份表头",
    "gantt.rows": "图中的行，每项一个任务", "gantt.rows.seq": "任务序号", "gantt.rows.content": "任务内容",
    "gantt.rows.cells": "各月的格子（文字）", "gantt.rows.marks": "各月是否在任务期内",
    "period_label": "报告期", "stat_date": "统计日期", "completion": "项目完成比例",
    "summary": "本期完成情况，每段一项", "overdue": "逾期的任务，每项一句", "approaching": "临近时限的任务，每项一句",
    "problems": "存在问题，每段一项", "next_steps": "下步计划，每段一项",
    "chart": "图表", "chart.caption": "图题", "chart.bars": "图中的条，每项一条", "chart.bars.label": "条的名称",
    "chart.bars.value": "条上的数值", "chart.bars.width": "条的长度（百分比）", "chart.bars.cells": "Word 中条所占的格子",
    "chart.bars.colour": "条的颜色", "chart.legend": "图例，每项为（颜色，说明）",
    "notice:title": "公示标题", "notice:title_lines": "标题分行", "notice:intro": "公示导语",
    "notice:projects": "公示的项目，每项一个", "notice:projects.seq": "序号", "notice:projects.code": "项目编号",
    "notice:projects.name": "项目名称", "notice:projects.leader": "项目负责人",
    "notice:projects.content": "公开内容：项目内容，每段一项", "notice:projects.objectives": "公开目标，每段一项",
    "notice:projects.progress": "公开过程：实施进度", "notice:projects.effect": "公开成效，每段一项",
    "notice:period": "公示期", "notice:objection": "异议的反映方式", "notice:contacts": "联系人与电话，每行一项",
    "certificates": "证书，每张一页", "certificates.cert_no": "证书编号", "certificates.recipient": "获奖对象（已排好字号）",
    "certificates.recipient.lines": "获奖对象分行", "certificates.recipient.size": "字号（磅）",
    "certificates.recipient.half_points": "字号（半磅，Word 用）", "certificates.reason": "表彰事由",
    "certificates.honour": "荣誉称号（已排好字号）", "certificates.honour.lines": "荣誉称号分行",
    "certificates.honour.size": "字号（磅）", "certificates.honour.half_points": "字号（半磅，Word 用）",
    "certificates.issuer": "颁发单位（已排好字号）", "certificates.issuer.lines": "颁发单位分行",
    "certificates.issuer.size": "字号（磅）", "certificates.issuer.half_points": "字号（半磅，Word 用）",
    "certificates.date": "颁发日期",
    "closing_report:finished": "完成情况综述", "history": "历次进度，每项一期", "history.period": "报告期",
    "history.stat_date": "统计日期", "history.completion": "完成比例", 
    "history.overdue": "逾期任务数", "history.summary": "完成情况", "effect": "实施效果，每段一项",
    "satisfaction": "群众满意率", "score": "评价得分", "conclusion": "验收结论", "spent": "经费使用",
    "figures": "群众满意率、评价得分、验收结论中已给出的，合为一句（都没有为空）",
    "overview": "总体情况，每段一项", "categories": "按类别统计，每项一类", "categories.category": "项目类别",
    "categories.count": "项目数", "categories.share": "占比", "branches": "按申报党组织统计，每项一个",
    "branches.branch": "申报党组织", "branches.projects": "项目数", "branches.finished": "已完成项目数",
    "branches.completion": "平均完成比例", "branches_more": "未列出的党组织的说明", "show_branch_chart": "是否画党组织图表",
    "ranking": "评价排名，每项一个项目", "ranking.rank": "名次", "ranking.code": "项目编号", "ranking.name": "项目名称",
    "ranking.branch": "申报党组织", "ranking.category": "项目类别", "ranking.score": "评价得分",
    "ranking.satisfaction": "群众满意率", "ranking.completion": "完成比例", "ranking.conclusion": "验收结论",
    "ranking.selection": "入选情况", "ranking_more": "未列出的项目的说明", "selection_rule": "入选规则的说明",
    "notes": "说明，每段一项", "tracking": "跟踪实施名单，每项一个项目", "tracking_more": "未列出的项目的说明",
    "outstanding": "突出贡献项目，每项一个", "outstanding_more": "未列出的项目的说明",
    "eligibility_rule": "评优资格规则的说明", "lost": "失去评优资格的项目，每项一个", "lost.code": "项目编号",
    "lost.name": "项目名称", "lost.branch": "申报党组织", "lost.reasons": "原因", "lost_more": "未列出的项目的说明",
    "at_risk_intro": "风险提示的导语", "annual_report:at_risk": "可能失去评优资格的项目，每项一句",
    "at_risk_more": "未列出的项目的说明", "category_chart": "按类别的图表", "branch_chart": "按申报党组织的图表",
    "score_chart": "评价得分的图表",
    "photo_rows": "活动照片，每行两张", "photo_rows.left": "左边的照片", "photo_rows.right": "右边的照片（最后一行可能没有）",
    **{f"photo_rows.{side}.{key}": meaning for side in ("left", "right") for key, meaning in (
        ("image", "照片文件：Word 中写 {{ row.left.image|picture(72, 54) }} 放入宽 72、高 54 毫米以内"),
        ("url", "照片的地址：PDF 中写 <img src=\"{{ row.left.url }}\">"), ("caption", "照片说明"),
        ("date", "拍摄日期（未填为空）"))},
}


def label(kind: str, path: str) -> str:
    """What a variable means (its path with the lists' item steps: tasks.owner); "" when not described."""
    for key in (f"{kind}:{path}", path, re.sub(r"^\w+_chart\.", "chart.", path)):
        if key in LABELS:
            return LABELS[key]
    return ""


ITEM_NAMES = {"gantt": "block", "history": "row", "rows": "row", "bars": "bar", "categories": "row", "branches": "row",
              "ranking": "row", "lost": "row", "certificates": "cert", "projects": "project", "tasks": "task"}
KIND_WORDS = {"text": "文字", "number": "数字", "flag": "是否", "any": "—"}


def item_name(list_name: str) -> str:
    """The loop variable 说明.md uses for a list's items: task for tasks, line for a list of paragraphs."""
    return ITEM_NAMES.get(list_name, list_name[:-1] if list_name.endswith("s") and len(list_name) > 3 else "line")


def guide(kind: str, title: str, shape: dict[str, Any], example: dict[str, Any] | None) -> list[str]:
    """The Markdown rows of one kind's variables: how to write each, its meaning, its type and an example."""
    rows: list[str] = []

    def walk(fields: dict[str, Any], values: Any, written: str, path: str, depth: int) -> None:
        for name, field in fields.items():
            value = values.get(name) if isinstance(values, dict) else None
            here, meaning = f"{written}{name}", label(kind, f"{path}{name}")
            if isinstance(field, list):
                item = item_name(name)
                first = value[0] if isinstance(value, list) and value else None
                count = f"例中 {len(value)} 项" if isinstance(value, list) else ""
                rows.append(f"| {'　' * depth}`{{% for {item} in {here} %}}` | {meaning} | 列表 | {count} |")
                if isinstance(field[0], dict):
                    walk(field[0], first, f"{item}.", f"{path}{name}.", depth + 1)
                else:
                    kind_word = KIND_WORDS.get(field[0], "—") if isinstance(field[0], str) else "一组内容"
                    rows.append(f"| {'　' * (depth + 1)}`{{{{ {item} }}}}` | 其中的一项 | {kind_word} "
                                f"| {_example(first)} |")
            elif isinstance(field, dict):
                rows.append(f"| {'　' * depth}`{here}` | {meaning} | 一组内容 | |")
                walk(field, value, f"{here}.", f"{path}{name}.", depth + 1)
            else:
                rows.append(f"| {'　' * depth}`{{{{ {here} }}}}` | {meaning} | {KIND_WORDS.get(field, '—')} "
                            f"| {_example(value)} |")

    walk(shape, example or {}, "", "", 0)
    return [f"## {title}：{kind}.docx、{kind}.html", "", "| 写法 | 含义 | 类型 | 示例（自带的示例申报表） |",
            "|---|---|---|---|", *rows, ""]


def _example(value: Any) -> str:
    if value is None or isinstance(value, (dict, list)):
        return ""
    text = str(value).replace("|", "｜").replace("\n", " ")
    return text if len(text) <= 24 else text[:23] + "…"
