"""Write a synthetic year-end set of intake workbooks for the batch benchmark.

Each workbook is docgen's own blank intake template filled in, one per party
branch, as a clerk would receive them: 1–2 projects, 6–10 tasks per project,
four quarterly progress reports, a result row per project, and certificates
spread over the set (100 in all by default). The data is drawn from a seeded
random generator, so the same arguments always give the same workbooks.

    python bench/make_set.py OUT_DIR [--workbooks 300] [--certificates 100] [--seed 2024]
"""
from __future__ import annotations

import argparse
import datetime as dt
import io
import random
import sys
import tempfile
import time
from multiprocessing import Pool
from pathlib import Path

from openpyxl import load_workbook

from docgen.config import Config
from docgen.intake.layout import AWARDS, PROGRESS, PROJECTS, RESULTS, TASKS
from docgen.intake.template import HEADER_ROW, write_template

YEAR = 2024
PLACES = ("城关", "七里河", "西固", "安宁", "红古", "永登", "皋兰", "榆中", "新区", "兴隆", "连城", "什川",
          "和平", "夏官营", "中川", "秦川", "树屏", "河口", "达川", "金崖", "青城", "水阜", "柳泉", "苦水",
          "红城", "中堡", "武胜驿", "通远", "民乐", "坪城")
UNITS = ("供电服务中心", "配网运维班", "营销服务中心", "变电运维站", "输电运检班", "客户服务中心",
         "物资供应站", "调度控制班", "检修工区", "综合服务中心")
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN = "建华晓燕志刚海涛丽娜国强秀英俊杰文静明辉玉兰春梅永红伟东立新宏伟敏慧学军桂芳德胜云霞振宇"
CATEGORIES = Config().project.categories
THEMES = (("连心桥", "共产党员服务队“创优”工程"), ("党员网格员", "“4+N”包干服务"), ("红色", "安全帮扶行动"),
          ("先锋", "带电作业攻坚"), ("光明", "驿站便民服务"), ("初心", "电力惠民工程"), ("电网", "“全科医生”诊断"),
          ("流动", "党小组现场攻坚"), ("绿色", "能源服务先锋行"), ("同心", "乡村振兴供电保障"))
ACTIONS = ("整编服务队伍，完善管理制度", "开展入户走访，建立需求台账", "组织技能培训，实行持证上岗",
           "实施线路改造，消除安全隐患", "建设便民服务点，公开服务承诺", "开展联合攻关，形成创新成果",
           "组织党员示范岗评比", "编制典型经验材料", "开展客户满意度回访", "总结验收，固化长效机制")
ISSUERS = ("中共国网兰州供电公司委员会", "国网兰州供电公司党委党建工作部")
TITLES = ("优秀党建项目", "“十佳”党建精品项目", "党建项目化管理先进集体", "优秀共产党员", "党建项目优秀负责人")


def person(rng: random.Random) -> str:
    given = GIVEN[rng.randrange(0, len(GIVEN), 2):][:2] if rng.random() < 0.7 else rng.choice(GIVEN)
    return rng.choice(SURNAMES) + given


def branch_name(index: int) -> str:
    place = PLACES[index % len(PLACES)]
    unit = UNITS[(index // len(PLACES)) % len(UNITS)]
    extra = "" if index < len(PLACES) * len(UNITS) else f"第{index // (len(PLACES) * len(UNITS)) + 1}"
    return f"{place}{unit}{extra}党支部"


def plan_book(index: int, first_code: int, certificates: int, seed: int) -> dict[str, list[dict]]:
    """The rows of one workbook, keyed by sheet, as field → value dictionaries."""
    rng = random.Random(seed * 100_003 + index)
    branch = branch_name(index)
    sheets: dict[str, list[dict]] = {s.name: [] for s in (PROJECTS, TASKS, PROGRESS, RESULTS, AWARDS)}
    count = 1 if rng.random() < 0.5 else 2
    codes = []
    for n in range(count):
        code = f"DJ-{YEAR}-{first_code + n:04d}"
        codes.append(code)
        prefix, theme = THEMES[rng.randrange(len(THEMES))]
        start = dt.date(YEAR, rng.randint(1, 3), rng.randint(1, 28))
        leader = person(rng)
        sheets[PROJECTS.name].append({
            "code": code, "name": f"{prefix}{theme}", "branch": branch, "category": rng.choice(CATEGORIES),
            "leader": leader, "phone": f"139{rng.randrange(10**8):08d}",
            "members": "、".join(person(rng) for _ in range(rng.randint(2, 5))),
            "start": start, "end": dt.date(YEAR, 12, 31), "slogan": "党建引领 服务先行",
            "background": f"{branch}所辖区域用户多、线路长，群众对供电服务提出了更高要求，需要以党建项目为抓手破解难题。",
            "objectives": "故障报修平均到达现场时间缩短至30分钟以内，客户满意率达到95%以上，形成可复制的服务经验。",
            "measures": "1.建强党员服务队伍，明确分工。\n2.开展联合攻关，解决服务难题。\n3.建立考核评价机制，定期通报。",
            "outcomes": "服务质效明显提升，党员先锋模范作用充分发挥，形成党建与业务深度融合的典型做法。",
            "central_work": rng.choice(("安全生产", "优质服务", "经营提效", "电网建设")),
        })
        tasks = rng.randint(6, 10)
        deadlines = sorted(dt.date(YEAR, rng.randint(4, 12), rng.randint(1, 28)) for _ in range(tasks))
        finish = [100 if rng.random() < 0.85 else rng.choice((70, 80, 90)) for _ in range(tasks)]
        for seq in range(1, tasks + 1):
            sheets[TASKS.name].append({
                "project_code": code, "seq": seq, "content": ACTIONS[(seq - 1) % len(ACTIONS)],
                "owner": person(rng), "deadline": deadlines[seq - 1],
                "quality_standard": "措施落实到位，资料齐全规范", "target": "按期完成，群众认可",
            })
        for quarter in range(1, 5):
            stat = dt.date(YEAR, quarter * 3, 30 if quarter in (2, 3) else 31 if quarter == 4 else 28)
            for seq in range(1, tasks + 1):
                share = min(1.0, quarter / 4 + rng.random() * 0.2)
                percent = finish[seq - 1] if quarter == 4 else round(finish[seq - 1] * share / 10) * 10
                # the template formats 完成比例 as 0%, so a clerk's 80% is stored as 0.8
                sheets[PROGRESS.name].append({
                    "project_code": code, "period": f"{YEAR}年第{quarter}季度", "stat_date": stat, "task_seq": seq,
                    "percent": percent / 100, "status": "按计划推进，阶段目标已完成" if percent >= 50 else "正在推进",
                    "problems": "人员力量偏紧" if percent < 100 and rng.random() < 0.3 else None,
                    "next_steps": "加强督导，确保按期完成" if percent < 100 else None,
                })
        sheets[RESULTS.name].append({
            "project_code": code, "effect": "故障报修平均到达现场时间缩短至27分钟，收到群众表扬信12封。",
            "satisfaction": rng.choice((78, 85, 88, 90, 92, 95, 96, 98)) / 100,  # cells are formatted 0%
            "score": round(rng.uniform(62, 98), 1), "conclusion": rng.choice(("优秀", "良好", "良好", "合格")),
        })
    for n in range(certificates):
        sheets[AWARDS.name].append({
            "cert_no": f"DJZS-{YEAR}-{first_code:04d}-{n + 1}", "recipient": branch if n == 0 else person(rng),
            "title": rng.choice(TITLES), "issuer": rng.choice(ISSUERS), "date": dt.date(YEAR, 12, 20),
            "project_code": codes[0],
        })
    return sheets


def write_book(template: bytes, sheets: dict[str, list[dict]], target: Path) -> None:
    book = load_workbook(io.BytesIO(template))
    for spec in (PROJECTS, TASKS, PROGRESS, RESULTS, AWARDS):
        ws = book[spec.name]
        for r, values in enumerate(sheets[spec.name], start=HEADER_ROW + 1):
            for c, column in enumerate(spec.columns, start=1):
                value = values.get(column.field)
                if value is not None:
                    ws.cell(r, c, value)
    book.save(target)


def _job(args: tuple) -> None:
    template, index, first_code, certificates, seed, out = args
    sheets = plan_book(index, first_code, certificates, seed)
    write_book(template, sheets, Path(out) / f"{index + 1:03d}_{branch_name(index)}.xlsx")


def make_set(out: Path, workbooks: int = 300, certificates: int = 100, seed: int = 2024, processes: int = 2) -> list[Path]:
    """Write `workbooks` filled intake workbooks into `out`; return their paths."""
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        template = write_template(Path(tmp) / "blank.xlsx", Config()).read_bytes()
    rng = random.Random(seed)
    holders = set(rng.sample(range(workbooks), min(workbooks, certificates)))
    per_book = [0] * workbooks
    for i in holders:
        per_book[i] = 1
    for _ in range(certificates - len(holders)):
        per_book[rng.randrange(workbooks)] += 1
    jobs, code = [], 1
    for index in range(workbooks):
        jobs.append((template, index, code, per_book[index], seed, str(out)))
        code += 2  # room for a second project
    if processes <= 1:
        for job in jobs:
            _job(job)
    else:
        with Pool(processes) as pool:
            pool.map(_job, jobs, chunksize=8)
    return sorted(out.glob("*.xlsx"))


def main() -> None:
    parser = argparse.ArgumentParser(description="生成基准测试用的年终申报表集合")
    parser.add_argument("out", type=Path)
    parser.add_argument("--workbooks", type=int, default=300)
    parser.add_argument("--certificates", type=int, default=100)
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()
    start = time.perf_counter()
    paths = make_set(args.out, args.workbooks, args.certificates, args.seed)
    print(f"{len(paths)} 份申报表写入 {args.out}，用时 {time.perf_counter() - start:.1f} 秒", file=sys.stderr)


if __name__ == "__main__":
    main()
