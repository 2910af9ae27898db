"""A workbook of long, realistic data: the names, dates and texts that push each document's layout.

One branch with a 25-character name hands in three projects:
- DJ-2024-011, a 59-character name, running 2024-01 → 2025-12, half done, tasks due in both years,
  with a 40-character 党小组 among its 重点实践单位 and long 立项背景/主要措施 that fill pages;
- DJ-2024-012, a 2-character name, never started (every task at 0 %);
- DJ-2024-013, finished in 2024 at 100 % with its 实施效果 and a certificate.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from builder import award_row, full_book, progress_row, project_row, result_row, task_row

BRANCH = "国网兰州供电公司城关供电服务中心配网运维第一党支部"  # 25 characters
LONG_NAME = ("“党建+安全生产”双融双促工程——以共产党员服务队为载体推进城关配网运维检修"
             "全过程安全管控与优质服务提升的实践探索项目")  # 59 characters
SHORT_NAME = "连心"
TEAM = "城关供电服务中心配网运维第一党支部所属的配网带电作业班组与客户服务班组联合党小组"  # 40 characters
FINISHED_NAME = "党员网格员“4+N”包干服务"

LONG_CODE, SHORT_CODE, FINISHED_CODE = "DJ-2024-011", "DJ-2024-012", "DJ-2024-013"

_BACKGROUND = ("城关区是兰州市的中心城区，供电服务区域内老旧小区多、地下管线复杂，配网设备运行年限长，"
               "客户对供电可靠性和服务质量的要求逐年提高。近年来，配网运维检修任务量大幅增加，"
               "现场作业点多面广，安全管控压力持续加大，部分党员在攻坚克难中的先锋模范作用发挥不够充分。")
_MEASURES = "\n".join(
    f"{n}.{text}" for n, text in enumerate([
        "建强组织体系。以党支部为核心、党小组为单元，组建共产党员服务队和党员突击队，明确每名党员的责任区和联系点。",
        "严格现场管控。推行“党员身边无违章”活动，党员带头落实“两票三制”，每周开展一次现场安全督查。",
        "深化优质服务。实行网格化包干，党员网格员定期走访辖区客户和重要用户，建立问题台账，限时办结。",
        "开展联合攻关。围绕配网故障抢修时长、频繁停电治理等难点，成立党员攻关小组，形成可复制的工作方法。",
        "加强宣传引导。通过“四公开”公示、主题党日和班组例会，及时总结推广好经验好做法，营造比学赶超氛围。",
    ], start=1))


def long_book():
    """The long-data workbook as a builder.Book (save it with .save(path))."""
    projects = [
        project_row(LONG_CODE, **{
            "项目名称*": LONG_NAME, "申报党组织*": BRANCH, "项目类别*": "创新探索项目", "牵头单位": BRANCH,
            "重点实践单位": f"{TEAM}、城关供电服务中心营销服务党支部", "项目负责人*": "欧阳建华",
            "项目成员": "李晓燕、张志刚、王堃、赵赟、司马青云、马国强、刘建军、陈丽娟",
            "开始日期*": dt.date(2024, 1, 1), "结束日期*": dt.date(2025, 12, 31),
            "项目口号": "党旗飘在一线 安全落在现场", "立项背景*": _BACKGROUND * 2, "目标任务*":
            "配网故障平均抢修时长缩短20%以上，全年人身安全零事故，客户投诉同比下降30%，培养党员骨干12名。",
            "主要措施*": _MEASURES, "预期成效*": "形成一套可复制推广的“党建+安全生产”工作方法。" * 3,
            "关联中心工作": "安全生产"}),
        project_row(SHORT_CODE, **{
            "项目名称*": SHORT_NAME, "申报党组织*": BRANCH, "牵头单位": None, "重点实践单位": None,
            "项目口号": None, "开始日期*": dt.date(2024, 9, 1), "结束日期*": dt.date(2025, 6, 30)}),
        project_row(FINISHED_CODE, **{
            "项目名称*": FINISHED_NAME, "申报党组织*": BRANCH, "项目类别*": "服务关怀项目",
            "开始日期*": dt.date(2024, 2, 1), "结束日期*": dt.date(2024, 11, 30)}),
    ]
    long_tasks = [
        ("组建共产党员服务队和党员突击队，明确责任区", dt.date(2024, 3, 31), 100),
        ("推行“党员身边无违章”活动，开展每周现场安全督查", dt.date(2024, 6, 30), 100),
        ("党员网格员走访辖区客户和重要用户，建立问题台账", dt.date(2024, 9, 30), 80),
        ("成立党员攻关小组，治理频繁停电台区120处", dt.date(2024, 12, 31), 60),
        ("总结形成可复制的“党建+安全生产”工作方法", dt.date(2025, 6, 30), 20),
        ("配网故障平均抢修时长缩短20%以上并通过验收", dt.date(2025, 10, 31), 0),
        ("全面总结项目成效，形成推广材料", dt.date(2025, 12, 31), 0),
    ]
    tasks = [task_row(LONG_CODE, seq=n, **{"任务内容*": text, "责任人*": "欧阳建华、司马青云",
                                            "开始日期": dt.date(2024, 1, 1), "完成时限*": due,
                                            "质量标准*": "资料齐全、过程可追溯，经党支部委员会审核通过",
                                            "预期目标*": "完成率100%，客户满意率不低于95%"})
             for n, (text, due, _) in enumerate(long_tasks, start=1)]
    tasks += [task_row(SHORT_CODE, seq=n, **{"任务内容*": text, "完成时限*": due})
              for n, (text, due) in enumerate([("走访", dt.date(2024, 12, 31)), ("总结", dt.date(2025, 6, 30))], 1)]
    tasks += [task_row(FINISHED_CODE, seq=n, **{"任务内容*": text, "完成时限*": due})
              for n, (text, due) in enumerate([("划分网格、明确党员网格员", dt.date(2024, 4, 30)),
                                                ("网格员上门走访并办结客户诉求", dt.date(2024, 10, 31))], 1)]
    progress = [progress_row(LONG_CODE, "2024年第4季度", n, percent, **{"统计日期*": dt.date(2024, 12, 20),
                                                                      "完成情况*": "按计划推进，党员带头攻坚，阶段目标全部完成。"})
                for n, (_, _, percent) in enumerate(long_tasks, start=1)]
    progress += [progress_row(SHORT_CODE, "2024年第4季度", n, 0, **{"统计日期*": dt.date(2024, 12, 20),
                                                                  "完成情况*": "尚未开展"}) for n in (1, 2)]
    progress += [progress_row(FINISHED_CODE, "2024年第4季度", n, 100, **{"统计日期*": dt.date(2024, 11, 30)})
                 for n in (1, 2)]
    results = [result_row(FINISHED_CODE, 97, 92, "优秀")]
    awards = [award_row("DJZS-2024-011", TEAM, **{"项目编号": FINISHED_CODE, "颁发日期*": dt.date(2024, 12, 20)})]
    return full_book(projects, tasks, progress, results, awards)


def long_workbook(folder: Path) -> Path:
    """Save the long-data workbook into folder and return its path."""
    return long_book().save(Path(folder) / f"{BRANCH}.xlsx")
