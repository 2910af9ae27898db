"""Write the three sample intake workbooks of docgen into ``samples/``.

Run from the repository root::

    python samples/make_samples.py

Only openpyxl is used. The output is deterministic: no randomness, fixed
document properties and fixed zip timestamps, so running the script twice
gives byte-identical files.

Workbooks
---------
``城关供电服务中心党支部.xlsx`` (A, valid)
    DJ-2024-001 连心桥共产党员服务队“创优”工程 (1+X: 牵头单位 plus 3 重点实践单位)
    and DJ-2024-002 党员网格员“4+N”包干服务, both of 城关供电服务中心党支部.
    Every sheet: row 1 title (merged), row 2 note (merged), row 3 header, data from row 4.

``变电运维中心.xlsx`` (B, valid, shows layout variants)
    DJ-2024-003 变电运维“全科医生” (东岗变电运维站党支部),
    DJ-2024-004 党员“1+N”安全帮扶法 (1+X with 2 重点实践单位),
    DJ-2024-005 流动党小组 on substation construction sites.
    项目信息: title row 1, note row 2, header row 3, data rows 4-6; columns in
    another order than A; 项目名称/项目负责人/开始日期 written as ``…（必填）``.
    Other sheets: title row 1, header row 2, data from row 3 (no note row).
    任务分解 row 8 is left blank between the tasks of DJ-2024-003 and DJ-2024-004.

Valid variants present in A and B (a reader must accept them):
    * text dates: A 项目信息!J4 ``2024年3月19日``; A 任务分解!F5 ``2024/6/30``;
      B 任务分解!F5 ``2024.9.30`` (B's 任务分解 has its header in row 2);
    * 完成比例 as an int (``80``), as text (``"80%"``) and as a fraction in a
      cell formatted ``0%`` (``0.8``; ``1.0`` means 100%);
    * 群众满意率 as a number (``96``), as text (``"95.5%"``) and, once in B
      (实施效果!C5), as a fraction in a cell formatted ``0.0%`` (``0.953``);
    * 联系电话 as a landline ``0931-8881234`` / ``0931-8625134`` or an
      11-digit mobile, always stored as text;
    * 报告期 as ``2024年第2季度`` (A), ``2024Q2`` / ``2024年6月`` /
      ``2024-09`` / ``2024年12月`` (B).

Column letters (same in all three workbooks unless said otherwise)
    项目信息 A/C: A 项目编号 B 项目名称 C 申报党组织 D 项目类别 E 牵头单位
        F 重点实践单位 G 项目负责人 H 联系电话 I 项目成员 J 开始日期 K 结束日期
        L 项目口号 M 立项背景 N 目标任务 O 主要措施 P 预期成效 Q 关联中心工作
        (A: R 经费预算 S 立项日期; C: R 备注 S 立项日期)
    项目信息 B: A 项目编号 B 申报党组织 C 项目名称 D 项目类别 E 项目负责人
        F 联系电话 G 项目成员 H 牵头单位 I 重点实践单位 J 开始日期 K 结束日期
        L 关联中心工作 M 项目口号 N 立项背景 O 目标任务 P 主要措施 Q 预期成效 R 立项日期
    任务分解: A 项目编号 B 序号 C 任务内容 D 责任人 E 开始日期 F 完成时限
        G 质量标准 H 预期目标
    进度: A 项目编号 B 报告期 C 统计日期 D 任务序号 E 完成比例 F 完成情况
        G 存在问题 H 下步计划
    实施效果: A 项目编号 B 实施效果 C 群众满意率 D 评价得分 E 验收结论
    表彰: A 证书编号 B 获奖对象 C 荣誉称号 D 颁发单位 E 颁发日期 F 项目编号

``有错误的申报表.xlsx`` (C, one of each typical mistake)
    DJ-2024-101 党员干部施工项目全程负责制 (运维检修部党支部) and
    DJ-2024-102 “指尖课堂” (机关党支部). Every sheet: row 1 title, row 2 note,
    row 3 header, data from row 4. Exactly these mistakes, each once:

    ==  ==========  =====  =====================================================
    #   sheet       cell   mistake
    ==  ==========  =====  =====================================================
    1   项目信息    D4     项目类别 ``党建品牌项目`` is not in the category list
    2   项目信息    G5     项目负责人 (required) is empty (DJ-2024-102)
    3   项目信息    K5     结束日期 2023-12-31 is before 开始日期 J5 2024-04-01
    4   项目信息    H4     联系电话 ``1381234567`` has 10 digits
    5   任务分解    F7     完成时限 2025-03-31 is after the project's 结束日期
                           2024-12-31 (DJ-2024-101, 序号 4)
    6   任务分解    A8     项目编号 ``DJ-2024-199`` does not exist in 项目信息
    7   任务分解    B12    序号 3 repeated within DJ-2024-102 (first at B11)
    8   任务分解    F5     完成时限 ``2024-13-45`` (text) is not a date
    9   进度        E10    完成比例 ``120%`` is over 100%
    10  进度        E9     DJ-2024-101 task 1 falls from 60 (E4, 2024年第2季度)
                           to 40 (E9, 2024年第3季度)
    11  实施效果    C4     群众满意率 ``很满意`` is not a number
    12  表彰        E5     颁发日期 (required) is empty
    13  项目信息    R3     unknown extra column ``备注`` (R5 holds a value)
    ==  ==========  =====  =====================================================

    Consequence of mistake 3: DJ-2024-102's period is inverted, so its tasks
    (任务分解 rows 9-12) and progress rows (进度 rows 7, 8, 12-14) cannot lie
    inside it. A validator should not check those against the project period
    (or should expect these follow-on findings); every other value in C is
    valid. ``WORKBOOK_C_MISTAKES`` below holds the same list as data and the
    script checks it against the written file.
"""

from __future__ import annotations

import datetime as dt
import math
import sys
from pathlib import Path
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

HERE = Path(__file__).resolve().parent

FILE_A = "城关供电服务中心党支部.xlsx"
FILE_B = "变电运维中心.xlsx"
FILE_C = "有错误的申报表.xlsx"

# (sheet, cell, kind, value as written). ``kind`` is descriptive, not a docgen code.
WORKBOOK_C_MISTAKES = [
    ("项目信息", "D4", "unknown_category", "党建品牌项目"),
    ("项目信息", "G5", "required_missing", None),
    ("项目信息", "K5", "end_before_start", dt.date(2023, 12, 31)),
    ("项目信息", "H4", "invalid_phone", "1381234567"),
    ("任务分解", "F7", "deadline_after_project_end", dt.date(2025, 3, 31)),
    ("任务分解", "A8", "unknown_project", "DJ-2024-199"),
    ("任务分解", "B12", "duplicate_task_number", 3),
    ("任务分解", "F5", "invalid_date", "2024-13-45"),
    ("进度", "E10", "percent_out_of_range", "120%"),
    ("进度", "E9", "progress_decreased", 40),
    ("实施效果", "C4", "invalid_percent", "很满意"),
    ("表彰", "E5", "required_missing", None),
    ("项目信息", "R3", "unknown_column", "备注"),
]


# --------------------------------------------------------------------------
# Contract: fields of each sheet in canonical order, with canonical headers
# --------------------------------------------------------------------------

PROJECT_FIELDS = [
    ("code", "项目编号*"),
    ("name", "项目名称*"),
    ("org", "申报党组织*"),
    ("category", "项目类别*"),
    ("lead_unit", "牵头单位"),
    ("practice_units", "重点实践单位"),
    ("leader", "项目负责人*"),
    ("phone", "联系电话"),
    ("members", "项目成员"),
    ("start", "开始日期*"),
    ("end", "结束日期*"),
    ("slogan", "项目口号"),
    ("background", "立项背景*"),
    ("goals", "目标任务*"),
    ("measures", "主要措施*"),
    ("outcomes", "预期成效*"),
    ("central_work", "关联中心工作"),
]
APPROVED = ("approved", "立项日期")  # written last, after the columns above (and 经费预算 / 备注): no letter moves
TASK_FIELDS = [
    ("code", "项目编号*"),
    ("seq", "序号*"),
    ("content", "任务内容*"),
    ("owner", "责任人*"),
    ("start", "开始日期"),
    ("deadline", "完成时限*"),
    ("quality_standard", "质量标准*"),
    ("target", "预期目标*"),
]
PROGRESS_FIELDS = [
    ("code", "项目编号*"),
    ("period", "报告期*"),
    ("as_of", "统计日期*"),
    ("task", "任务序号"),
    ("percent", "完成比例*"),
    ("status", "完成情况*"),
    ("problems", "存在问题"),
    ("next_steps", "下步计划"),
]
EFFECT_FIELDS = [
    ("code", "项目编号*"),
    ("effect", "实施效果*"),
    ("satisfaction", "群众满意率"),
    ("score", "评价得分"),
    ("conclusion", "验收结论"),
    ("spent", "经费使用（万元）"),
]
CERT_FIELDS = [
    ("cert_no", "证书编号*"),
    ("recipient", "获奖对象*"),
    ("honour", "荣誉称号*"),
    ("issuer", "颁发单位*"),
    ("issued", "颁发日期*"),
    ("code", "项目编号"),
]

WIDTHS = {
    "code": 14, "name": 30, "org": 26, "category": 14, "lead_unit": 24,
    "practice_units": 36, "leader": 12, "phone": 15, "members": 30,
    "start": 13, "end": 13, "approved": 13, "slogan": 22, "background": 50, "goals": 50,
    "measures": 60, "outcomes": 50, "central_work": 14, "remark": 24,
    "seq": 7, "content": 40, "owner": 10, "deadline": 13,
    "quality_standard": 36, "target": 32,
    "period": 15, "as_of": 13, "task": 9, "percent": 10, "status": 44,
    "problems": 32, "next_steps": 32,
    "effect": 60, "satisfaction": 11, "score": 10, "conclusion": 10, "budget": 12, "spent": 12,
    "cert_no": 16, "recipient": 36, "honour": 24, "issuer": 32, "issued": 13,
}
LONG_TEXT = {
    "name", "practice_units", "members", "background", "goals", "measures",
    "outcomes", "content", "quality_standard", "target", "status", "problems",
    "next_steps", "effect", "recipient", "remark", "org", "lead_unit", "issuer",
}

NOTE = "填表说明：带“*”的列为必填项；日期请按“2024-03-01”格式填写；多个单位或成员之间用顿号“、”分隔。"


class Fmt:
    """A value written with an explicit number format (e.g. 0.8 shown as 80%)."""

    def __init__(self, value, number_format):
        self.value = value
        self.number_format = number_format


def d(y, m, day):
    return dt.date(y, m, day)


# --------------------------------------------------------------------------
# Workbook A: 城关供电服务中心党支部
# --------------------------------------------------------------------------

A_PROJECTS = [
    {
        "code": "DJ-2024-001",
        "name": "连心桥共产党员服务队“创优”工程",
        "org": "城关供电服务中心党支部",
        "category": "精品党建项目",
        "lead_unit": "城关供电服务中心党支部",
        "practice_units": "配网带电作业中心党支部、西固供电服务中心党支部、七里河供电服务中心党支部",
        "leader": "马建华",
        "phone": "0931-8881234",
        "members": "马建华、李晓燕、张志刚、王坤、赵丽娟、杨文博、刘海涛",
        "approved": d(2024, 3, 12),
        "start": "2024年3月19日",
        "end": d(2024, 12, 31),
        "slogan": "连心架桥 服务创优",
        "background": (
            "城关供电服务中心承担兰州市城关区主城区的供电服务任务，辖区人口密集，商业网点和老旧小区多，"
            "客户数量多，对供电可靠性和服务质量提出了更高要求。2023年中心受理的客户诉求中，涉及停电感知、"
            "报修到达时间的占比较高，部分老旧小区配电设施改造滞后，服务“最后一公里”仍有短板。"
            "按照公司党委党建工作“十大工程”部署，支部主动申请作为牵头单位实施连心桥共产党员服务队“创优”工程，"
            "以“1+X”模式联合重点实践单位，充分发挥支部战斗堡垒作用和党员先锋模范作用，持续做好供电服务工作。"
        ),
        "goals": (
            "以连心桥共产党员服务队为载体，全年实现服务队队员持证上岗率100%，故障报修平均到达现场时间缩短至30分钟以内；"
            "联合配网带电作业中心推广配网检修“能带不停”，辖区不停电作业次数同比增长10%以上；"
            "结对服务辖区老旧小区和重点客户不少于20个，客户满意率达到95%以上；形成可复制推广的服务队创优工作法1套。"
        ),
        "measures": (
            "1.建强队伍。对连心桥共产党员服务队进行整编，按照“党员骨干+青年员工”组建4个服务分队，明确队长和联络员，实行挂牌服务、亮明身份。\n"
            "2.“1+X”联合攻关。牵头单位每月召开一次项目推进会，与配网带电作业中心党支部、西固供电服务中心党支部、七里河供电服务中心党支部共享服务资源，联合开展不停电作业和应急抢修。\n"
            "3.精准服务。建立老旧小区、重点客户、独居老人“三张清单”，开展上门走访、用电安全检查和电价政策宣传，做到客户诉求“接单即办”。\n"
            "4.比学赶超。开展“服务之星”季度评选，把服务队工作成效纳入党员积分管理和年度评先评优。\n"
            "5.总结提炼。年底前总结服务队创优经验，形成典型案例报送公司党委。"
        ),
        "outcomes": (
            "通过实施“创优”工程，服务队的组织力和战斗力明显增强，辖区客户停电感知明显降低，频繁停电和服务类投诉同比下降，"
            "客户满意度稳步提升；打造“有特色、叫得响、可推广”的连心桥服务品牌，实现“立一个项目、破一类难题、出一个亮点”。"
        ),
        "central_work": "优质服务",
        "budget": 8,
    },
    {
        "code": "DJ-2024-002",
        "name": "党员网格员“4+N”包干服务",
        "org": "城关供电服务中心党支部",
        "category": "服务关怀项目",
        "lead_unit": None,
        "practice_units": None,
        "leader": "李晓燕",
        "phone": "13919286547",
        "members": "李晓燕、周永红、陈明、刘海涛、何佳琪",
        "approved": d(2024, 2, 20),
        "start": d(2024, 2, 26),
        "end": d(2024, 11, 30),
        "slogan": "网格连万家 党员在身边",
        "background": (
            "城关区老旧小区集中，城市更新改造项目多，台区数量大、客户类型复杂。传统按专业分工的服务模式存在营配信息不同步、"
            "隐患发现不及时、涉电公共安全隐患治理难等问题，客户有诉求时往往不知道该找谁。"
            "支部借鉴网格化党建“4+N”做法，将党员编入供电服务网格，推动营配联动，把服务送到客户身边。"
        ),
        "goals": (
            "将辖区台区划分为15个服务网格，每个网格由4名党员网格员和N名群众骨干组成，实现台区“包干到户”全覆盖；"
            "全年排查治理涉电公共安全隐患不少于120处；网格内客户诉求24小时响应率100%；电费回收率保持100%。"
        ),
        "measures": (
            "1.划分网格。按照“地域相邻、台区相连”原则划分15个网格，绘制网格图，公开网格员姓名和联系电话。\n"
            "2.“4+N”组队。每个网格由营销、配电、计量、客服4名党员网格员和若干群众骨干组成，实行“党员带班、营配联动”。\n"
            "3.联系机制。支部委员联系网格、党员联系客户，每月至少开展一次网格走访，建立网格工作微信群。\n"
            "4.隐患治理。结合迎峰度夏、冬季供暖等节点开展涉电公共安全隐患排查，建立隐患台账，整改一处、销号一处。\n"
            "5.考核评价。每季度对网格团队开展考评，考评结果与党员积分挂钩。"
        ),
        "outcomes": (
            "形成“网格有党员、服务无盲区”的工作格局，营配协同效率明显提升，客户诉求响应更快，涉电公共安全隐患得到有效治理；"
            "党员在网格中亮身份、作表率，进一步擦亮城关供电服务品牌。"
        ),
        "central_work": "经营提效",
        "budget": 3.5,
    },
]

A_TASKS = [
    # DJ-2024-001
    ("DJ-2024-001", 1, "整编连心桥共产党员服务队，组建4个服务分队，制定服务队管理办法和服务规范", "马建华",
     d(2024, 3, 19), d(2024, 4, 30),
     "分队设置、人员名单和管理办法经支委会审议通过，队员100%亮明身份", "形成“党员骨干+青年员工”服务队伍，队员不少于40人"),
    ("DJ-2024-001", 2, "建立老旧小区、重点客户、独居老人“三张清单”，开展上门走访和用电安全检查", "李晓燕",
     d(2024, 4, 1), "2024/6/30",
     "清单信息完整准确，每户建立走访记录，发现问题当场登记", "结对服务老旧小区和重点客户不少于20个"),
    ("DJ-2024-001", 3, "联合配网带电作业中心党支部开展配网检修“能带不停”联合作业", "张志刚",
     d(2024, 4, 1), d(2024, 11, 30),
     "作业前开展现场勘察和风险评估，作业全过程安全可控，无人身和设备事件", "辖区不停电作业次数同比增长10%以上"),
    ("DJ-2024-001", 4, "开展故障报修“接单即办”提速行动", "王坤",
     d(2024, 5, 1), d(2024, 9, 30),
     "报修工单100%闭环，回访率100%", "故障报修平均到达现场时间缩短至30分钟以内"),
    ("DJ-2024-001", 5, "开展“服务之星”季度评选和党员积分管理", "赵丽娟",
     None, d(2024, 12, 15),
     "每季度评选一次，评选结果在支部公示栏公开", "评选“服务之星”不少于8人次"),
    ("DJ-2024-001", 6, "总结提炼服务队创优工作法，形成典型案例", "马建华",
     d(2024, 11, 1), d(2024, 12, 31),
     "案例材料事实准确、数据翔实，经支委会审定", "形成工作法1套、典型案例1篇报送公司党委"),
    # DJ-2024-002
    ("DJ-2024-002", 1, "划分服务网格并绘制网格图，公开网格员信息", "周永红",
     d(2024, 2, 26), d(2024, 3, 31),
     "网格覆盖辖区全部台区，无遗漏、无交叉", "划分网格15个，网格公示牌上墙率100%"),
    ("DJ-2024-002", 2, "组建“4+N”网格团队，开展网格员业务培训", "陈明",
     d(2024, 3, 1), d(2024, 4, 30),
     "每个网格党员网格员不少于4名，培训考试合格率100%", "组建网格团队15个"),
    ("DJ-2024-002", 3, "开展网格走访，落实客户诉求“24小时响应”", "李晓燕",
     d(2024, 4, 1), d(2024, 11, 15),
     "每个网格每月走访不少于1次，走访记录完整", "网格内客户诉求24小时响应率100%"),
    ("DJ-2024-002", 4, "开展涉电公共安全隐患排查治理", "刘海涛",
     d(2024, 5, 1), d(2024, 10, 31),
     "隐患建档率100%，整改闭环销号", "排查治理涉电公共安全隐患不少于120处"),
    ("DJ-2024-002", 5, "开展网格团队季度考评和年度总结", "李晓燕",
     None, d(2024, 11, 30),
     "考评结果公开，与党员积分挂钩", "评出优秀网格团队3个，形成年度工作总结"),
]

A_PROGRESS = [
    # DJ-2024-001
    ("DJ-2024-001", "2024年第2季度", d(2024, 6, 28), 1, "100%",
     "服务队整编完成，组建4个服务分队，队员42人，管理办法经支委会审议通过。", None, None),
    ("DJ-2024-001", "2024年第2季度", d(2024, 6, 28), 2, Fmt(0.6, "0%"),
     "“三张清单”已建立，走访老旧小区9个、重点客户4户。", "独居老人信息需社区协助核实。", "7月前完成剩余小区走访。"),
    ("DJ-2024-001", "2024年第2季度", d(2024, 6, 28), 3, 30,
     "与配网带电作业中心开展联合作业18次。", None, "迎峰度夏期间加大不停电作业频次。"),
    ("DJ-2024-001", "2024年第2季度", d(2024, 6, 28), None, 35,
     "项目按计划推进，服务队整编和清单建立工作基本完成。", "部分老旧小区配电设施产权不清，改造协调难度大。",
     "加强与街道社区沟通，推进联合作业和报修提速。"),
    ("DJ-2024-001", "2024年第3季度", d(2024, 9, 27), 2, 100,
     "累计结对服务老旧小区15个、重点客户7户，建立走访记录22份。", None, None),
    ("DJ-2024-001", "2024年第3季度", d(2024, 9, 27), 3, "65%",
     "累计开展联合不停电作业41次，同比增长12.3%。", None, "四季度继续开展联合作业。"),
    ("DJ-2024-001", "2024年第3季度", d(2024, 9, 27), 4, Fmt(0.9, "0%"),
     "报修工单闭环率100%，平均到达现场时间缩短至32分钟。", "夜间报修到达时间偏长。", "优化夜间值班力量配置。"),
    ("DJ-2024-001", "2024年第3季度", d(2024, 9, 27), None, Fmt(0.7, "0%"),
     "各项任务有序推进，客户满意度较上季度有所提升。", "夜间抢修力量不足。", "开展服务之星评选，启动经验总结。"),
    ("DJ-2024-001", "2024年第4季度", d(2024, 12, 20), 3, 100,
     "全年开展联合不停电作业57次，同比增长13.5%，多供电量约86万千瓦时。", None, None),
    ("DJ-2024-001", "2024年第4季度", d(2024, 12, 20), 4, 100,
     "平均到达现场时间缩短至27分钟，任务完成。", None, None),
    ("DJ-2024-001", "2024年第4季度", d(2024, 12, 20), 5, 100,
     "全年评选“服务之星”12人次，结果均已公示。", None, None),
    ("DJ-2024-001", "2024年第4季度", d(2024, 12, 20), 6, "80%",
     "服务队创优工作法初稿已完成，正在修改完善。", None, "12月底前经支委会审定后报送公司党委。"),
    ("DJ-2024-001", "2024年第4季度", d(2024, 12, 20), None, 95,
     "项目主要目标全部实现，进入总结提炼阶段。", None, "完成典型案例报送，迎接项目验收。"),
    # DJ-2024-002
    ("DJ-2024-002", "2024年第2季度", d(2024, 6, 28), 1, 100,
     "划分网格15个，网格图和公示牌全部上墙。", None, None),
    ("DJ-2024-002", "2024年第2季度", d(2024, 6, 28), 2, 100,
     "组建“4+N”网格团队15个，培训网格员60人，考试全部合格。", None, None),
    ("DJ-2024-002", "2024年第2季度", d(2024, 6, 28), 3, "40%",
     "开展网格走访47次，受理客户诉求31件，均在24小时内响应。", None, "结合迎峰度夏加密走访频次。"),
    ("DJ-2024-002", "2024年第2季度", d(2024, 6, 28), None, 45,
     "网格划分和团队组建完成，网格服务全面铺开。", "部分群众骨干参与积极性不高。", "开展隐患排查治理。"),
    ("DJ-2024-002", "2024年第3季度", d(2024, 9, 27), 3, 70,
     "累计走访112次，受理诉求76件，24小时响应率100%。", None, None),
    ("DJ-2024-002", "2024年第3季度", d(2024, 9, 27), 4, Fmt(0.75, "0%"),
     "排查涉电公共安全隐患96处，已整改销号88处。", "8处隐患涉及产权单位，整改进度慢。", "联合街道督促产权单位整改。"),
    ("DJ-2024-002", "2024年第3季度", d(2024, 9, 27), None, "72%",
     "项目进展顺利，隐患治理成效明显。", "个别网格走访记录不够规范。", "开展走访记录专项检查。"),
    ("DJ-2024-002", "2024年第4季度", d(2024, 11, 29), 3, 100,
     "全年走访168次，受理诉求109件，全部按时响应。", None, None),
    ("DJ-2024-002", "2024年第4季度", d(2024, 11, 29), 4, 100,
     "累计排查治理隐患131处，全部闭环销号。", None, None),
    ("DJ-2024-002", "2024年第4季度", d(2024, 11, 29), 5, Fmt(1.0, "0%"),
     "完成四个季度考评，评出优秀网格团队3个，年度总结已形成。", None, None),
    ("DJ-2024-002", "2024年第4季度", d(2024, 11, 29), None, 100,
     "项目各项任务全部完成。", None, "固化网格服务机制，常态化运行。"),
]

A_EFFECTS = [
    ("DJ-2024-001",
     "连心桥共产党员服务队整编为4个服务分队，队员42人全部持证上岗；全年联合开展配网不停电作业57次，同比增长13.5%；"
     "故障报修平均到达现场时间由41分钟缩短至27分钟；结对服务老旧小区15个、重点客户7户，服务类投诉同比下降35%。"
     "服务队创优工作法在3家重点实践单位推广应用。",
     96, 95.5, "优秀", 7.6),
    ("DJ-2024-002",
     "建成“4+N”网格团队15个，600余个台区实现“包干到户”；全年排查治理涉电公共安全隐患131处，客户诉求24小时响应率100%，"
     "电费回收率保持100%。网格服务机制已纳入支部常态化工作。",
     "95.5%", 91, "良好", "3.2万元"),
]

A_CERTS = [
    ("DJZS-2024-001", "连心桥共产党员服务队", "“十佳”党建精品项目", "中共国网兰州供电公司委员会", d(2024, 12, 20), "DJ-2024-001"),
    ("DJZS-2024-002", "国网兰州供电公司城关供电服务中心党支部", "“电网先锋”党组织", "中共国网兰州供电公司委员会", d(2024, 12, 20), None),
    ("DJZS-2024-003", "李晓燕", "优秀共产党员", "中共国网兰州供电公司委员会", d(2024, 12, 20), "DJ-2024-002"),
]


# --------------------------------------------------------------------------
# Workbook B: 变电运维中心
# --------------------------------------------------------------------------

B_PROJECTS = [
    {
        "code": "DJ-2024-003",
        "name": "培养变电运维“全科医生”",
        "org": "东岗变电运维站党支部",
        "category": "创新探索项目",
        "lead_unit": None,
        "practice_units": None,
        "leader": "韩立新",
        "phone": "13820156378",
        "members": "韩立新、孙浩然、高鹏、吴俊杰、郑雪、冯磊、曹宇航",
        "approved": d(2024, 2, 23),
        "start": d(2024, 3, 1),
        "end": d(2024, 11, 30),
        "slogan": "一专多能 守护主网",
        "background": (
            "东岗变电运维站承担330千伏东岗变电站及周边110千伏变电站的运维任务，设备数量多、电压等级高。"
            "运维、试验、检测、消防等专业分工过细，站内青年员工多、综合技能偏弱，遇到汛期、迎峰度夏等复杂情况时应急处置能力不足。"
            "按照公司“一支部一项目一特色”要求，支部围绕安全生产这一中心任务，立项培养变电运维“全科医生”。"
        ),
        "goals": (
            "聚焦青年党员综合技能培养，打造集运维、试验、检测、消防于一体的变电运维“全科医生”队伍。"
            "全年培养“全科医生”不少于12名，其中青年党员不少于8名；开展实战化应急演练不少于4次；"
            "设备缺陷发现及时率提升至98%以上，一类缺陷处置到位率100%。"
        ),
        "measures": (
            "1.制定“全科医生”培养方案，明确运维、试验、检测、消防四个模块的培训内容和考核标准。\n"
            "2.实行“党员师带徒”，由党员技术骨干与青年员工一对一结对，签订师徒协议，按月记录培养情况。\n"
            "3.开展防汛、消防、设备异常处置等实战化应急演练，演练后及时组织复盘评估，修订完善应急预案。\n"
            "4.建立“全科医生”技能积分档案，实行模块认证、积分晋级。\n"
            "5.年底请专业部门对培养成效进行评价，评选“全科医生”标兵。"
        ),
        "outcomes": (
            "形成“一专多能”的变电运维人才梯队，青年党员综合技能和应急处置能力明显提升，设备运维质量和效率同步提高，"
            "为兰州主网安全稳定运行提供坚强保障，争创公司突出贡献项目。"
        ),
        "central_work": "安全生产",
    },
    {
        "code": "DJ-2024-004",
        "name": "党员“1+N”安全帮扶法",
        "org": "变电运维中心运维二站党支部",
        "category": "主题实践项目",
        "lead_unit": "变电运维中心运维二站党支部",
        "practice_units": "变电运维中心运维一站党支部、变电运维中心运维三站党支部",
        "leader": "田国庆",
        "phone": "0931-8625134",
        "members": "田国庆、宋佳、董建伟、袁明辉、谢芳、邓超",
        "approved": d(2024, 2, 8),
        "start": d(2024, 2, 20),
        "end": d(2024, 12, 31),
        "slogan": "一名党员一面旗 安全帮扶不掉队",
        "background": (
            "近年来运维站新入职员工和转岗人员增多，部分员工安全意识不强、操作技能不熟练，倒闸操作、设备巡视中“习惯性违章”时有发生。"
            "2023年中心安全督查发现的违章中，因作业人员经验不足导致的占比较高。支部借鉴“1+N”安全帮扶做法，"
            "由1名党员结对帮扶N名员工，推动安全责任落实到人。"
        ),
        "goals": (
            "全年组建“1+N”帮扶小组不少于15个，实现新员工、转岗员工和有违章记录人员帮扶全覆盖；"
            "习惯性违章同比下降30%以上；帮扶对象安全规程考试合格率100%；全年不发生人身伤害和误操作事件。"
        ),
        "measures": (
            "1.结对帮扶。每名党员结对帮扶1至3名员工，签订安全帮扶责任书，明确帮扶内容和时限。\n"
            "2.“党建+安全”教育。利用“三会一课”、主题党日和班前会开展安全规程学习和事故案例警示教育。\n"
            "3.现场把关。党员在倒闸操作、大型检修等关键作业中担任安全监护人，对帮扶对象现场示范、旁站指导。\n"
            "4.违章“回头看”。每月对帮扶对象违章情况进行统计分析，对重复违章人员开展“一对一”约谈帮教。\n"
            "5.考核激励。将帮扶成效纳入党员积分和“安全之星”评选，帮扶对象发生违章的，对结对党员同步考核。"
        ),
        "outcomes": (
            "党员安全示范作用充分发挥，员工安全意识和操作技能明显增强，习惯性违章逐步减少，"
            "形成“党员带头、人人尽责”的安全生产氛围，为变电运维安全生产提供坚强的组织保障。"
        ),
        "central_work": "安全生产",
    },
    {
        "code": "DJ-2024-005",
        "name": "“流动党员之家”进工地——变电站改扩建工程流动党小组",
        "org": "变电运维中心检修试验党支部",
        "category": "基础规范项目",
        "lead_unit": None,
        "practice_units": None,
        "leader": "罗志勇",
        "phone": "13502287416",
        "members": "罗志勇、潘晓东、蒋文、唐海波、林静",
        "start": d(2024, 4, 8),
        "end": d(2024, 11, 30),
        "slogan": "项目干到哪里，党组织就建到哪里",
        "background": (
            "2024年中心承担110千伏雁滩变电站等4座变电站改扩建工程的配合施工和验收任务。工程现场分散、人员流动快，"
            "党员长期驻守现场，难以按时参加支部组织生活，党组织在工程一线的作用发挥不够充分。"
            "支部按照“项目干到哪里，党组织建到哪里，党建工作就开展到哪里”的要求，在工程现场组建流动党小组。"
        ),
        "goals": (
            "在4个工程现场组建流动党小组，依托现场集装箱打造“流动党员之家”4个；现场党员组织生活参与率100%；"
            "工程验收一次通过率100%，现场安全事件为零。"
        ),
        "measures": (
            "1.组建流动党小组。吸纳工程现场流动党员，明确党小组长，党小组随工程转场而流动。\n"
            "2.打造“流动党员之家”。依托现场集装箱配置学习资料、党建展板和视频学习终端，保障现场党员学习教育。\n"
            "3.“三组联动”。将党小组、工会小组和行政班组有机结合，联动学习、联动共创、联动督廉、联动关爱。\n"
            "4.开展“党小组+学习教育、+安全生产、+示范引领”活动，设立党员责任区和党员示范岗。\n"
            "5.关心关爱一线职工，做好防暑降温、后勤保障和心理疏导。"
        ),
        "outcomes": (
            "实现党组织在工程现场全覆盖，流动党员“离岗不离党、流动不流失”，党建工作与工程建设同频共振，"
            "工程安全、质量和进度目标全面完成，形成施工现场党建的可推广经验。"
        ),
        "central_work": "队伍建设",
    },
]

B_TASKS = [
    # DJ-2024-003
    ("DJ-2024-003", 1, "制定“全科医生”培养方案及四个模块考核标准", "韩立新",
     d(2024, 3, 1), d(2024, 3, 31),
     "方案经支委会和运检部审核通过", "形成培养方案1套、模块考核标准4项"),
    ("DJ-2024-003", 2, "开展“党员师带徒”结对培养", "孙浩然",
     d(2024, 3, 15), d(2024, 10, 31),
     "师徒协议签订率100%，每月培养记录完整", "结对12对，徒弟模块认证通过率不低于90%"),
    ("DJ-2024-003", 3, "组织防汛、消防等实战化应急演练并复盘评估", "高鹏",
     d(2024, 5, 1), "2024.9.30",
     "演练有方案、有记录、有复盘，发现问题整改闭环", "开展应急演练不少于4次，修订完善应急预案1项以上"),
    ("DJ-2024-003", 4, "建立技能积分档案，开展模块认证", "郑雪",
     d(2024, 4, 1), d(2024, 11, 15),
     "积分档案一人一档，认证过程留痕可查", "培养“全科医生”不少于12名"),
    ("DJ-2024-003", 5, "开展培养成效评价和“全科医生”标兵评选", "韩立新",
     None, d(2024, 11, 30),
     "专业部门参与评价打分，评选结果公开", "评选标兵3名，形成项目总结报告"),
    None,  # blank row between projects
    # DJ-2024-004
    ("DJ-2024-004", 1, "摸清帮扶对象底数，组建“1+N”帮扶小组并签订帮扶责任书", "田国庆",
     d(2024, 2, 20), d(2024, 3, 31),
     "帮扶对象覆盖新员工、转岗员工和有违章记录人员，责任书签订率100%", "组建帮扶小组不少于15个"),
    ("DJ-2024-004", 2, "开展“党建+安全”教育和事故案例警示教育", "宋佳",
     d(2024, 3, 1), d(2024, 11, 30),
     "每月不少于1次，教育记录和签到齐全", "帮扶对象安全规程考试合格率100%"),
    ("DJ-2024-004", 3, "关键作业党员现场监护和示范指导", "董建伟",
     d(2024, 3, 1), d(2024, 12, 15),
     "监护记录完整，监护范围内无违章", "全年不发生人身伤害和误操作事件"),
    ("DJ-2024-004", 4, "违章统计分析和“回头看”约谈帮教", "袁明辉",
     None, d(2024, 12, 31),
     "每月形成违章分析报告，重复违章人员约谈率100%", "习惯性违章同比下降30%以上"),
    # DJ-2024-005
    ("DJ-2024-005", 1, "在4个工程现场组建流动党小组，明确党小组长", "罗志勇",
     d(2024, 4, 8), d(2024, 4, 30),
     "党小组设置经支委会研究确定，现场党员全部编入", "组建流动党小组4个"),
    ("DJ-2024-005", 2, "依托现场集装箱建设“流动党员之家”", "潘晓东",
     d(2024, 4, 15), d(2024, 6, 15),
     "做到有标识、有资料、有制度、有记录", "建成“流动党员之家”4个"),
    ("DJ-2024-005", 3, "开展“三组联动”和“党小组+”活动", "蒋文",
     d(2024, 5, 1), d(2024, 11, 15),
     "每月至少开展1次现场组织生活，活动记录完整", "现场党员组织生活参与率100%"),
    ("DJ-2024-005", 4, "设立党员责任区和党员示范岗，开展现场安全监督", "唐海波",
     d(2024, 5, 1), d(2024, 10, 31),
     "责任区划分清晰，示范岗挂牌上岗", "现场安全事件为零，工程验收一次通过率100%"),
    ("DJ-2024-005", 5, "总结流动党小组工作经验", "林静",
     d(2024, 10, 15), d(2024, 11, 30),
     "经验材料经支部审定", "形成工作经验材料1篇"),
]

B_PROGRESS = [
    # DJ-2024-003: quarters written 2024Q2 …
    ("DJ-2024-003", "2024Q2", d(2024, 6, 28), 1, 100,
     "培养方案和四个模块考核标准已印发。", None, None),
    ("DJ-2024-003", "2024Q2", d(2024, 6, 28), 2, 40,
     "12对师徒已签订协议，按月开展跟班培养。", None, None),
    ("DJ-2024-003", "2024Q2", d(2024, 6, 28), 3, "25%",
     "6月10日在330千伏东岗变电站开展防汛应急演练1次，复盘后优化完善防汛应急预案。", "特种车辆调度经验不足。", "7月开展消防演练。"),
    ("DJ-2024-003", "2024Q2", d(2024, 6, 28), None, 35,
     "项目按计划推进。", "青年员工工学矛盾突出。", "合理安排培训时间，推进模块认证。"),
    ("DJ-2024-003", "2024Q3", d(2024, 9, 27), 2, Fmt(0.8, "0%"),
     "徒弟完成运维、检测模块学习，认证通过9人。", None, None),
    ("DJ-2024-003", "2024Q3", d(2024, 9, 27), 3, 100,
     "累计开展防汛、消防、设备异常处置演练4次，修订应急预案2项。", None, None),
    ("DJ-2024-003", "2024Q3", d(2024, 9, 27), 4, 60,
     "技能积分档案已建立，完成两个模块认证。", None, "10月完成试验、消防模块认证。"),
    ("DJ-2024-003", "2024Q3", d(2024, 9, 27), None, 70,
     "各项任务进展顺利。", None, "开展成效评价准备工作。"),
    ("DJ-2024-003", "2024Q4", d(2024, 11, 29), 2, 100,
     "结对培养任务完成，徒弟模块认证通过率91.7%。", None, None),
    ("DJ-2024-003", "2024Q4", d(2024, 11, 29), 4, "100%",
     "培养“全科医生”13名，其中青年党员9名。", None, None),
    ("DJ-2024-003", "2024Q4", d(2024, 11, 29), 5, 100,
     "运检部完成评价打分，评选标兵3名。", None, None),
    ("DJ-2024-003", "2024Q4", d(2024, 11, 29), None, 100,
     "项目全部完成，总结报告已报送中心党总支。", None, None),
    # DJ-2024-004: months written 2024年6月 / 2024-09 / 2024年12月
    ("DJ-2024-004", "2024年6月", d(2024, 6, 30), 1, 100,
     "组建帮扶小组16个，签订帮扶责任书16份，帮扶对象37人。", None, None),
    ("DJ-2024-004", "2024年6月", d(2024, 6, 30), 2, Fmt(0.45, "0%"),
     "开展安全规程学习和警示教育4次。", None, None),
    ("DJ-2024-004", "2024年6月", d(2024, 6, 30), 3, 40,
     "党员在倒闸操作中担任监护人56人次。", "春检期间作业集中，监护力量紧张。", "统筹安排监护人员。"),
    ("DJ-2024-004", "2024年6月", d(2024, 6, 30), None, "40%",
     "帮扶小组运转正常，上半年帮扶对象违章同比下降22%。", None, "开展违章“回头看”。"),
    ("DJ-2024-004", "2024-09", d(2024, 9, 30), 2, 75,
     "累计开展教育7次，帮扶对象安全规程考试合格率100%。", None, None),
    ("DJ-2024-004", "2024-09", d(2024, 9, 30), 3, 70,
     "累计监护118人次，监护范围内未发生违章。", None, None),
    ("DJ-2024-004", "2024-09", d(2024, 9, 30), 4, "70%",
     "按月形成违章分析报告，约谈重复违章人员3人。", None, None),
    ("DJ-2024-004", "2024-09", d(2024, 9, 30), None, 72,
     "项目推进顺利。", "个别帮扶对象参与教育不够主动。", "加强帮扶考核。"),
    ("DJ-2024-004", "2024年12月", d(2024, 12, 25), 2, 100,
     "全年开展教育11次，任务完成。", None, None),
    ("DJ-2024-004", "2024年12月", d(2024, 12, 25), 3, Fmt(1.0, "0%"),
     "全年监护163人次，未发生人身伤害和误操作事件。", None, None),
    ("DJ-2024-004", "2024年12月", d(2024, 12, 25), 4, 95,
     "习惯性违章同比下降34%。", None, "12月底完成全年违章分析。"),
    ("DJ-2024-004", "2024年12月", d(2024, 12, 25), None, 96,
     "项目目标基本实现。", None, "完成年度总结。"),
    # DJ-2024-005: two quarters
    ("DJ-2024-005", "2024Q3", d(2024, 9, 27), 1, 100,
     "在4个工程现场组建流动党小组，编入党员17名。", None, None),
    ("DJ-2024-005", "2024Q3", d(2024, 9, 27), 2, 100,
     "建成“流动党员之家”4个，配置学习终端4台。", None, None),
    ("DJ-2024-005", "2024Q3", d(2024, 9, 27), 3, 60,
     "开展现场组织生活14次，党员参与率100%。", None, None),
    ("DJ-2024-005", "2024Q3", d(2024, 9, 27), 4, "65%",
     "设立党员责任区8个、党员示范岗6个。", "高温天气现场作业强度大。", "做好防暑降温。"),
    ("DJ-2024-005", "2024Q3", d(2024, 9, 27), None, 70,
     "流动党小组运转良好。", None, "迎接工程验收。"),
    ("DJ-2024-005", "2024Q4", d(2024, 11, 28), 3, Fmt(1.0, "0%"),
     "累计开展现场组织生活23次。", None, None),
    ("DJ-2024-005", "2024Q4", d(2024, 11, 28), 4, 100,
     "4座变电站改扩建工程均一次通过验收，现场安全事件为零。", None, None),
    ("DJ-2024-005", "2024Q4", d(2024, 11, 28), 5, 100,
     "工作经验材料已形成并经支部审定。", None, None),
    ("DJ-2024-005", "2024Q4", d(2024, 11, 28), None, 100,
     "项目全部完成。", None, None),
]

B_EFFECTS = [
    ("DJ-2024-003",
     "培养变电运维“全科医生”13名，其中青年党员9名；开展实战化应急演练4次，修订应急预案2项；"
     "设备缺陷发现及时率由95.2%提升至98.6%，一类缺陷处置到位率100%。项目被专业部门评为跟踪实施项目。",
     97.5, 94, "优秀"),
    ("DJ-2024-004",
     "组建“1+N”帮扶小组16个，帮扶对象37人全覆盖；习惯性违章同比下降34%，帮扶对象安全规程考试合格率100%，"
     "全年未发生人身伤害和误操作事件。",
     "96.8%", 92.5, "优秀"),
    ("DJ-2024-005",
     "在4个工程现场组建流动党小组，建成“流动党员之家”4个，现场党员组织生活参与率100%；"
     "4座变电站改扩建工程均一次通过验收，现场安全事件为零。",
     Fmt(0.953, "0.0%"), 88, "良好"),
]

B_CERTS = [
    ("DJZS-2024-004", "国网兰州供电公司东岗变电运维站党支部", "党建项目化管理先进集体",
     "中共国网兰州供电公司委员会", d(2024, 12, 20), "DJ-2024-003"),
    ("DJZS-2024-005", "变电运维中心运维二站党支部", "“电网先锋”党组织",
     "中共国网兰州供电公司委员会", d(2024, 12, 20), None),
    ("DJZS-2024-006", "韩立新", "优秀共产党员",
     "中共国网兰州供电公司委员会", d(2024, 12, 20), "DJ-2024-003"),
    ("DJZS-2024-007", "110千伏雁滩变电站改扩建工程流动党小组", "“十佳”党建精品项目",
     "中共国网兰州供电公司委员会", d(2024, 12, 20), "DJ-2024-005"),
]

B_PROJECT_ORDER = [
    "code", "org", "name", "category", "leader", "phone", "members", "lead_unit",
    "practice_units", "start", "end", "central_work", "slogan", "background",
    "goals", "measures", "outcomes", "approved",
]
B_PROJECT_HEADERS = {
    "name": "项目名称（必填）",
    "leader": "项目负责人（必填）",
    "start": "开始日期（必填）",
}


# --------------------------------------------------------------------------
# Workbook C: mistakes (see the module docstring)
# --------------------------------------------------------------------------

C_PROJECTS = [
    {
        "code": "DJ-2024-101",
        "name": "党员干部施工项目全程负责制",
        "org": "运维检修部党支部",
        "category": "党建品牌项目",  # mistake 1: not in the category list
        "lead_unit": None,
        "practice_units": None,
        "leader": "王振东",
        "phone": "1381234567",  # mistake 4: 10 digits
        "members": "王振东、刘建国、张瑞、李红梅、高志远",
        "approved": d(2024, 2, 26),
        "start": d(2024, 3, 1),
        "end": d(2024, 12, 31),
        "slogan": "一票直达 全程负责",
        "background": (
            "运维检修部承担全县配网运维和临时抢修施工任务，临时任务多、施工点位分散，工作票办理环节多，"
            "施工过程中责任主体不清、现场协调不及时的问题时有发生，影响施工效率和现场安全。"
            "支部推行党员干部施工项目全程负责制，让党员干部对施工项目从头管到尾。"
        ),
        "goals": (
            "实现临时任务施工“一票直达”，党员干部对施工项目从勘察、开工、施工到验收全程负责；"
            "临时施工任务平均办理时间缩短30%；施工现场违章同比下降20%；全年施工项目验收合格率100%。"
        ),
        "measures": (
            "1.梳理施工项目流程，制定党员干部全程负责制实施细则，明确各环节责任。\n"
            "2.建立施工项目党员责任人台账，每个项目明确1名党员干部挂牌负责。\n"
            "3.推行临时任务施工“一票直达”，压减审批环节，由党员负责人统一协调。\n"
            "4.每季度开展实施效果评估，对责任落实不到位的进行通报。"
        ),
        "outcomes": (
            "施工项目责任链条更加清晰，临时任务办理效率明显提高，现场安全和质量管控有效加强，"
            "党员干部在施工一线亮身份、担责任，形成“一个项目、一名党员、一抓到底”的工作格局。"
        ),
        "central_work": "安全生产",
        "remark": None,
    },
    {
        "code": "DJ-2024-102",
        "name": "“指尖课堂”拓展党员教育新渠道",
        "org": "机关党支部",
        "category": "创新探索项目",
        "lead_unit": None,
        "practice_units": None,
        "leader": None,  # mistake 2: required value missing
        "phone": "13703125568",
        "members": "赵静、孙磊、周小川、吴敏",
        "start": d(2024, 4, 1),
        "end": d(2023, 12, 31),  # mistake 3: before the start
        "slogan": "指尖上的课堂 身边的学习",
        "background": (
            "机关党员工作分散、出差多，集中学习时间难以保证，传统的集中授课方式覆盖面有限，部分党员学习积极性不高。"
            "支部依托微信等移动平台搭建“指尖课堂”，让党员随时随地学习，拓展党员教育新渠道。"
        ),
        "goals": (
            "搭建“指尖课堂”学习平台，全年推送微课不少于40期；党员线上学习参与率100%；"
            "组织“党员微讲堂”不少于6期；党员应知应会测试合格率100%。"
        ),
        "measures": (
            "1.搭建“指尖课堂”微信学习平台，设置理论学习、业务知识、安全规程三个栏目。\n"
            "2.每周推送微课，内容由支部委员和业务骨干轮流准备。\n"
            "3.组织党员轮流登上“党员微讲堂”线上讲课。\n"
            "4.实行线上学习积分排名，按季度考评。"
        ),
        "outcomes": (
            "党员学习教育更加便捷灵活，学习覆盖面和参与度明显提高，增强党员和职工干好工作的内动力。"
        ),
        "central_work": "队伍建设",
        "remark": "项目负责人待支委会研究确定",
    },
]

C_TASKS = [
    ("DJ-2024-101", 1, "梳理施工项目流程，制定并试行党员干部全程负责制实施细则", "王振东",
     d(2024, 3, 1), d(2024, 7, 31),
     "细则经支委会审议通过并在各班组试行", "形成实施细则1套"),
    ("DJ-2024-101", 2, "建立施工项目党员责任人台账，实行挂牌负责", "刘建国",
     d(2024, 3, 15), "2024-13-45",  # mistake 8: not a date
     "台账信息完整，每个在建项目均有党员负责人", "在建施工项目党员负责人覆盖率100%"),
    ("DJ-2024-101", 3, "推行临时任务施工“一票直达”", "张瑞",
     d(2024, 4, 1), d(2024, 10, 31),
     "工作票办理流程经安质部审核，办理记录可追溯", "临时施工任务平均办理时间缩短30%"),
    ("DJ-2024-101", 4, "开展全程负责制实施效果评估并形成总结", "王振东",
     d(2024, 11, 1), d(2025, 3, 31),  # mistake 5: after the project's end
     "评估覆盖全部施工项目，总结经支委会审定", "施工项目验收合格率100%，形成总结报告1篇"),
    ("DJ-2024-199", 5, "开展施工现场党员安全示范岗创建", "高志远",  # mistake 6: unknown project
     d(2024, 5, 1), d(2024, 9, 30),
     "示范岗挂牌上岗，每月检查一次", "施工现场违章同比下降20%"),
    ("DJ-2024-102", 1, "搭建“指尖课堂”微信学习平台，设置学习栏目", "孙磊",
     None, d(2024, 5, 31),
     "平台运行稳定，设置理论学习、业务知识、安全规程三个栏目", "支部党员全部入群学习"),
    ("DJ-2024-102", 2, "每周推送党的理论、业务知识和安全规程微课", "赵静",
     d(2024, 5, 1), d(2024, 11, 30),
     "每周推送不少于1期，内容经支部审核", "全年推送微课不少于40期"),
    ("DJ-2024-102", 3, "组织“党员微讲堂”线上讲课", "周小川",
     None, d(2024, 10, 31),
     "每期讲课有课件、有记录", "组织“党员微讲堂”不少于6期"),
    ("DJ-2024-102", 3, "开展线上学习积分排名和季度考评", "吴敏",  # mistake 7: 序号 3 again
     None, d(2024, 12, 15),
     "积分规则公开，每季度公布排名", "党员应知应会测试合格率100%"),
]

C_PROGRESS = [
    ("DJ-2024-101", "2024年第2季度", d(2024, 6, 28), 1, 60,
     "实施细则初稿已完成，在2个班组试行。", None, "7月底前完成修订。"),
    ("DJ-2024-101", "2024年第2季度", d(2024, 6, 28), 3, 50,
     "“一票直达”已在配电运维班试行，办理时间缩短约20%。", None, None),
    ("DJ-2024-101", "2024年第2季度", d(2024, 6, 28), None, 30,
     "项目启动顺利。", "班组对细则理解不一致。", "组织细则宣贯。"),
    ("DJ-2024-102", "2024年第2季度", d(2024, 6, 28), 1, 50,
     "学习平台已上线，已设置两个栏目。", None, None),
    ("DJ-2024-102", "2024年第2季度", d(2024, 6, 28), None, 20,
     "平台搭建基本完成。", None, "开始每周推送微课。"),
    ("DJ-2024-101", "2024年第3季度", d(2024, 9, 27), 1, 40,  # mistake 10: 60 -> 40
     "根据试行意见对细则进行了修改。", "试行中发现细则条款与现行制度有冲突。", "重新修订后提交支委会。"),
    ("DJ-2024-101", "2024年第3季度", d(2024, 9, 27), 3, "120%",  # mistake 9: over 100%
     "“一票直达”全面推行，平均办理时间缩短36%，超额完成目标。", None, None),
    ("DJ-2024-101", "2024年第3季度", d(2024, 9, 27), None, 65,
     "项目推进总体顺利。", None, "开展实施效果评估。"),
    ("DJ-2024-102", "2024年第3季度", d(2024, 9, 27), 1, 100,
     "三个学习栏目全部上线运行。", None, None),
    ("DJ-2024-102", "2024年第3季度", d(2024, 9, 27), 2, 60,
     "累计推送微课22期。", "部分微课内容偏长。", "精简微课时长。"),
    ("DJ-2024-102", "2024年第3季度", d(2024, 9, 27), None, 55,
     "项目按计划推进。", None, "组织“党员微讲堂”。"),
]

C_EFFECTS = [
    ("DJ-2024-101",
     "施工项目全部明确党员负责人，临时施工任务平均办理时间缩短36%，施工现场违章同比下降24%。",
     "很满意",  # mistake 11: not a number
     90, "良好"),
    ("DJ-2024-102",
     "“指尖课堂”累计推送微课41期，组织“党员微讲堂”6期，党员线上学习参与率100%。",
     94, 89.5, "良好"),
]

C_CERTS = [
    ("DJZS-2024-101", "运维检修部党支部", "“十佳”党建精品项目",
     "中共国网兰州供电公司委员会", d(2024, 12, 20), "DJ-2024-101"),
    ("DJZS-2024-102", "机关党支部", "突出贡献项目",
     "中共国网兰州供电公司委员会", None, "DJ-2024-102"),  # mistake 12: no date
]


# --------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------

THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
FIXED_TIME = dt.datetime(2024, 1, 1, 0, 0, 0)


def _as_row(fields, record):
    """Turn a tuple (in canonical field order) or a dict into a dict."""
    if record is None or isinstance(record, dict):
        return record
    return dict(zip([key for key, _ in fields], record))


def _estimate_lines(text, width):
    lines = 0
    for part in str(text).split("\n"):
        # a CJK character is about two width units wide
        lines += max(1, math.ceil(len(part) * 2.1 / max(width, 1)))
    return lines


def write_sheet(wb, name, title, columns, records, note=True):
    """Write one sheet: title row, optional note row, header row, data rows.

    ``columns`` is a list of (key, header text). ``records`` are dicts keyed by
    field; None leaves a blank row. Returns the header row number.
    """
    ws = wb.create_sheet(name)
    ncols = len(columns)
    last = get_column_letter(ncols)

    ws.cell(row=1, column=1, value=title)
    ws.merge_cells(f"A1:{last}1")
    ws["A1"].font = Font(name="宋体", size=14, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 28
    header_row = 2
    if note:
        ws.cell(row=2, column=1, value=NOTE)
        ws.merge_cells(f"A2:{last}2")
        ws["A2"].font = Font(name="宋体", size=9, color="C00000")
        ws["A2"].alignment = Alignment(horizontal="left", vertical="center")
        header_row = 3

    for col, (key, header) in enumerate(columns, start=1):
        cell = ws.cell(row=header_row, column=col, value=header)
        cell.font = Font(name="宋体", bold=True)
        cell.fill = HEADER_FILL
        cell.border = BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(col)].width = WIDTHS.get(key, 14)
    ws.row_dimensions[header_row].height = 22

    row = header_row
    for record in records:
        row += 1
        if record is None:
            continue
        max_lines = 1
        for col, (key, _) in enumerate(columns, start=1):
            value = record.get(key)
            cell = ws.cell(row=row, column=col)
            number_format = None
            if isinstance(value, Fmt):
                value, number_format = value.value, value.number_format
            cell.value = value
            if isinstance(value, dt.date):
                cell.number_format = "yyyy-mm-dd"
            elif number_format:
                cell.number_format = number_format
            elif key == "phone" and value is not None:
                cell.number_format = "@"
            cell.border = BORDER
            cell.font = Font(name="宋体", size=10)
            wrap = key in LONG_TEXT
            cell.alignment = Alignment(vertical="top", wrap_text=wrap,
                                       horizontal="left" if wrap else "center")
            if wrap and value:
                max_lines = max(max_lines, _estimate_lines(value, WIDTHS.get(key, 14)))
        ws.row_dimensions[row].height = min(409, 14 * max_lines + 4)

    ws.freeze_panes = f"A{header_row + 1}"
    return header_row


def build_workbook(org_title, projects, tasks, progress, effects, certs,
                   project_columns, note_in=("项目信息", "任务分解", "进度", "实施效果", "表彰")):
    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.creator = "docgen samples"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    headers = {}
    sheets = [
        ("项目信息", "项目信息", project_columns, projects),
        ("任务分解", "任务分解及进度安排", TASK_FIELDS, [_as_row(TASK_FIELDS, r) for r in tasks]),
        ("进度", "项目进度", PROGRESS_FIELDS, [_as_row(PROGRESS_FIELDS, r) for r in progress]),
        ("实施效果", "实施效果", EFFECT_FIELDS, [_as_row(EFFECT_FIELDS, r) for r in effects]),
        ("表彰", "表彰情况", CERT_FIELDS, [_as_row(CERT_FIELDS, r) for r in certs]),
    ]
    for name, what, columns, records in sheets:
        title = f"{org_title} 党建项目申报表（{what}）"
        headers[name] = write_sheet(wb, name, title, columns, records, note=name in note_in)
    return wb, headers


class _FixedTimeZip(ZipFile):
    """A ZipFile that stamps every member with the same time (reproducible output)."""

    def _info(self, arcname):
        info = ZipInfo(arcname, date_time=FIXED_TIME.timetuple()[:6])
        info.compress_type = ZIP_DEFLATED
        info.external_attr = 0o600 << 16
        return info

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):
        if not isinstance(zinfo_or_arcname, ZipInfo):
            zinfo_or_arcname = self._info(zinfo_or_arcname)
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None):
        with open(filename, "rb") as fh:
            self.writestr(arcname or Path(filename).name, fh.read())


def save(wb, path):
    """Save without openpyxl stamping the current time into the file."""
    archive = _FixedTimeZip(path, "w", ZIP_DEFLATED, allowZip64=True)
    ExcelWriter(wb, archive).save()


def make_all(out_dir=HERE):
    out_dir = Path(out_dir)
    results = {}

    canonical = list(PROJECT_FIELDS)
    wb, headers = build_workbook("城关供电服务中心党支部", A_PROJECTS, A_TASKS, A_PROGRESS,
                                 A_EFFECTS, A_CERTS, canonical + [("budget", "经费预算（万元）"), APPROVED])
    save(wb, out_dir / FILE_A)
    results[FILE_A] = headers

    header_text = dict(PROJECT_FIELDS + [APPROVED])
    header_text.update(B_PROJECT_HEADERS)
    b_columns = [(key, header_text[key]) for key in B_PROJECT_ORDER]
    wb, headers = build_workbook("变电运维中心党总支", B_PROJECTS, B_TASKS, B_PROGRESS,
                                 B_EFFECTS, B_CERTS, b_columns, note_in=("项目信息",))
    save(wb, out_dir / FILE_B)
    results[FILE_B] = headers

    c_columns = canonical + [("remark", "备注"), APPROVED]  # mistake 13: unknown column
    wb, headers = build_workbook("2024年度", C_PROJECTS, C_TASKS, C_PROGRESS,
                                 C_EFFECTS, C_CERTS, c_columns)
    save(wb, out_dir / FILE_C)
    results[FILE_C] = headers
    return results


# --------------------------------------------------------------------------
# Checking what was written
# --------------------------------------------------------------------------

EXPECTED_SHEETS = ["项目信息", "任务分解", "进度", "实施效果", "表彰"]


def _data_rows(ws, header_row):
    return sum(
        1 for row in ws.iter_rows(min_row=header_row + 1, values_only=True)
        if any(v is not None for v in row)
    )


def check(out_dir, headers):
    """Reopen the files, check sheets, headers, rows and C's mistakes; print a summary."""
    out_dir = Path(out_dir)
    for filename, header_rows in headers.items():
        wb = load_workbook(out_dir / filename)
        assert wb.sheetnames == EXPECTED_SHEETS, wb.sheetnames
        print(filename)
        for name in EXPECTED_SHEETS:
            ws = wb[name]
            hr = header_rows[name]
            header = [c.value for c in ws[hr] if c.value is not None]
            assert header and str(header[0]).startswith(("项目编号", "证书编号")), header
            print(f"  {name}: header row {hr}, {_data_rows(ws, hr)} data rows, "
                  f"{len(header)} columns: {'|'.join(header)}")

    wb = load_workbook(out_dir / FILE_C)
    for sheet, cell, kind, value in WORKBOOK_C_MISTAKES:
        actual = wb[sheet][cell].value
        if isinstance(actual, dt.datetime):
            actual = actual.date()
        assert actual == value, (sheet, cell, kind, actual, value)
    # context of mistakes 3, 7 and 10
    assert wb["项目信息"]["J5"].value.date() == dt.date(2024, 4, 1)
    assert wb["任务分解"]["B11"].value == 3 and wb["任务分解"]["A11"].value == "DJ-2024-102"
    assert wb["进度"]["E4"].value == 60 and wb["进度"]["D4"].value == wb["进度"]["D9"].value == 1
    print(f"{FILE_C}: {len(WORKBOOK_C_MISTAKES)} planted mistakes found at their cells")


def main(argv=None):
    headers = make_all(HERE)
    check(HERE, headers)
    return 0


if __name__ == "__main__":
    sys.exit(main())
