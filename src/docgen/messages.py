"""Issue codes and their Chinese messages: the one place where the clerk's wording lives.

Models and rules raise or yield codes with a small context; this module turns a
code into the sentence the clerk reads.
"""
from __future__ import annotations

from typing import Any

from .issues import Issue, Location, Severity

MESSAGES: dict[str, str] = {
    # the file
    "file_missing": "找不到文件",
    "file_not_xlsx": "不是 Excel 工作簿（.xlsx/.xlsm），无法读取",
    "file_xls": "这是旧版 Excel 97-2003 文件（.xls），请在 Excel 或 WPS 中“另存为”.xlsx 后再提交",
    "file_encrypted": "工作簿设置了打开密码，无法读取；请取消密码后再提交",
    "file_corrupt": "文件已损坏或不是有效的 Excel 工作簿，无法读取（{detail}）",
    "file_unsafe": "文件中含有 Excel 不会写入的 XML 声明（DTD 或实体），为安全起见不予读取；请在 Excel 或 WPS 中打开后另存为 .xlsx 再提交",
    # limits ([limits] in docgen.toml), checked before the workbook is parsed
    "file_too_large": "文件大小 {size}，超过上限 {limit}；请删除多余的工作表、图片或格式后再提交",
    "file_too_many_parts": "文件由 {count} 个部件组成，超过上限 {limit} 个；请删除多余的工作表或对象后再提交",
    "file_part_too_large": "文件中的{part}解压后有 {size}，超过上限 {limit}；多半是整行整列设置了格式或粘贴了大量内容，请删除多余部分后再提交",
    "file_too_many_rows": "工作表“{sheet}”在第 {row} 行还有单元格，超过上限 {limit} 行；请删除表格下方多余的行（含空格或格式）后再提交",
    "file_too_many_columns": "工作表“{sheet}”在第 {column} 列还有单元格，超过上限 {limit} 列；请删除右侧多余的列后再提交",
    "file_too_many_cells": "工作簿的单元格总数超过上限 {limit} 个；请删除多余的工作表或内容后再提交",
    # issue 19: files a folder run does not read. file_…: the file may be a branch's submission but cannot be
    # read (the reader's refusal of a file named on the command line or uploaded, and a folder's file that
    # makes the run incomplete); skip_…: a folder's file that is no submission (listed, the run still whole).
    "file_et": "这是 WPS 表格文件（.et），请在 WPS 中“另存为”Excel 工作簿（.xlsx）后再提交",
    "file_ods": "这是 OpenDocument 表格（.ods），请在 WPS 或 Excel 中“另存为”Excel 工作簿（.xlsx）后再提交",
    "file_xlsb": "这是 Excel 二进制工作簿（.xlsb），请在 Excel 中“另存为”Excel 工作簿（.xlsx）后再提交",
    "file_numbers": "这是苹果 Numbers 表格，请在 Numbers 中用“文件—导出为—Excel”存为 .xlsx 后再提交",
    "file_csv": "这是 CSV 文本文件：CSV 只能存一张表，不可能是完整的申报表（申报表有“项目信息”“任务分解”等多张表）；"
                "请用下发的申报表模板（.xlsx）填写，或在 WPS/Excel 中打开后“另存为”.xlsx 并补齐其余各表，再提交",
    "file_html": "这是网页（HTML）或 XML 格式的表格（常见于从其他系统导出、扩展名为 .xls 的文件），"
                 "请在 WPS 或 Excel 中打开后“另存为”Excel 工作簿（.xlsx）再提交",
    "file_zip": "这是压缩包，docgen 不会自动解压；请先解压，再提交其中的申报表（.xlsx）",
    "file_zip_sheets": "这是压缩包，其中有 {count} 个表格文件（{names}），docgen 不会自动解压；请先解压，"
                       "把其中的申报表（.xlsx）放进文件夹后再运行",
    "file_document": "这是 Word、PDF 等文档，不是 Excel 工作簿；申报表请用下发的模板（.xlsx）填写",
    "file_photo": "这是照片或图片，不是 Excel 工作簿；活动照片请放在申报表旁边，并在“活动照片”表中写明文件名",
    "file_appledouble": "这是 macOS 在 U 盘、网盘等处为每个文件另外生成的附属文件（文件名以“._”开头），不是申报表；"
                        "申报表是去掉“._”的同名文件",
    "file_empty": "文件是空的（0 字节），多半是复制或下载没有完成；请重新复制或下载后再提交",
    "file_renamed": "这是 Excel 工作簿（.xlsx），但文件扩展名是 {suffix}；如果它是申报表，请把扩展名改为 .xlsx 后再运行",
    "file_template": "这是 Excel 模板文件（{suffix}），请打开后“另存为”Excel 工作簿（.xlsx）再提交",
    "file_partial": "这是没有下载完的文件（{suffix}）；请等下载完成（文件名变为 .xlsx）或重新下载",
    "skip_ambiguous": "同名的申报表有 {count} 份，无法确定这份副本对应哪一份；改好后交回的，请放在原文件旁边或改用原文件名",
    "skip_lock": "Office 锁文件（该表正在 Excel/WPS 中打开），不是申报表",
    "skip_older": "同一申报表有较新的文件 {newer}，按较新的校验",
    "skip_same": "与 {same} 内容完全相同（重复的一份），只校验 {same}",
    "skip_appledouble": "macOS 在 U 盘、网盘等处生成的附属文件（文件名以“._”开头，或在 __MACOSX 文件夹中），不是申报表",
    "skip_system": "操作系统自动生成的文件或文件夹（缩略图缓存、文件夹设置、回收站等），不是申报表",
    "skip_hidden": "隐藏的文件或文件夹（名称以“.”开头），不是申报表",
    "skip_temp": "临时文件，不是申报表",
    "skip_photo": "照片或图片，不是申报表；申报表“活动照片”表中写到的照片随该申报表读取",
    "skip_document": "Word、PDF、文本等文档，不是申报表",
    "skip_table": "docgen 生成的表格（台账或清单.xlsx），不是申报表",
    "skip_output": "docgen 以前的输出目录（其中有 manifest.json），其中 {count} 个文件（文书、台账、清单、退回副本等）都不是申报表，均未读取",
    "skip_config": "docgen 的配置文件，不是申报表",
    "skip_archive": "压缩包，其中没有表格文件，不是申报表",
    "skip_other": "不认识的文件类型（{suffix}），不是申报表",
    # sheets and headers
    "sheet_missing": "缺少工作表“{sheet}”",
    "sheet_duplicate": "有 {count} 个工作表都可当作“{sheet}”（{names}，名称只差空格或大小写），只读取了第一个；请删除或改名多余的工作表",
    "sheet_hidden": "工作表“{sheet}”是隐藏的，其中的内容仍会被读取；请取消隐藏，确认这些内容确实要提交",
    "no_projects": "“{sheet}”中未填写任何项目；请在表头下方逐行填写项目后再提交",
    "header_missing": "工作表中找不到表头“{header}”，无法确定表头行",
    "column_missing": "缺少必填列“{header}”",
    "column_duplicate": "表头“{header}”重复出现（第一次在 {first} 列），本列被忽略",
    "column_unknown": "不认识的列“{header}”，其中的内容没有读取",
    # issue 19: what is read differs from what the clerk sees, or is not read at all
    "sheet_recognised": "工作表“{sheet}”不是模板中的名称，按表头识别为“{like}”并已读取；请把工作表名改回“{like}”",
    "sheet_unread": "工作表“{sheet}”中有内容，但表头与申报表的各工作表都不相符，其内容没有读取；"
                    "如其中有要申报的内容，请按模板的表头填入相应的工作表",
    "sheet_unread_like": "工作表“{sheet}”与已读取的工作表“{other}”表头相同（都是“{like}”表），这张表的内容没有读取；"
                         "请把内容合并到“{other}”中，或删除其中一张",
    "row_hidden": "第 {row} 行是隐藏的，其中的内容仍会被读取；请取消隐藏，确认这些内容确实要提交",
    "column_hidden": "{column} 列（{label}）是隐藏的，其中的内容仍会被读取；请取消隐藏，确认这些内容确实要提交",
    "column_unit": "表头“{header}”的单位是“{unit}”，而“{meant}”以{expected}为单位，这一列没有读取；"
                   "请把金额换算为{expected}，并把表头改为“{meant}”",
    "column_near_miss": "表头“{header}”与“{meant}”相近，这一列的内容没有读取；如果这一列就是“{meant}”，请把表头改为“{meant}”，"
                        "如不是，请改用其他表头或删除这一列",
    "column_unheaded": "{column} 列没有表头，其中的内容（从 {first} 起）没有读取；如需申报，请在表头行写上模板中的列名",
    "cell_error": "单元格显示错误值 {value}（公式出错或引用的单元格已不存在），无法读取；请改正后再提交",
    "invisible_characters": "含有看不见的字符 {codes}，已删除，按“{value}”读取；请删除这些字符（多是从网页或聊天软件复制时带入的）",
    "format_unknown": "单元格的数字格式“{format}”无法确定显示的内容，已按单元格中的值 {value} 读取；请核对，或把单元格格式改为“常规”",
    "number_as_percent": "单元格设置成了百分比格式，显示为“{shown}”，而{label}应填写数字；请把单元格格式改为“常规”后填写 {number}",
    "number_rounded": "单元格显示为“{shown}”，但实际数值为 {value}（单元格格式隐去了小数），已按 {value} 读取；"
                      "请核对，或增加显示的小数位数",
    "date_serial": "单元格显示为数字 {value}，这是丢失了日期格式的 Excel 日期（即{written}）；"
                   "请把单元格格式设为日期，或直接填写 {date}",
    "date_partly_shown": "单元格显示为“{shown}”，没有显示{hidden}，实际日期是 {value}，已按 {value} 读取；"
                         "请核对，并把单元格格式设为完整的日期（如 2024-03-05）",
    "amount_in_yuan": "单元格显示为“{shown}”，以元为单位，而本列以万元为单位；请换算为万元填写（{wan}）",
    "amount_large": "金额为 {value} 万元（{yuan} 元），党建项目的经费很少这么多；如果是按元填写的，请换算为万元（{wan}）",
    "list_unclear": "“{value}”用空格分隔，其中有单字，无法确定是几个人（或单位），已按一项读取；请用顿号“、”分隔",
    "row_struck": "这一行的文字加了删除线（{cells}），仍按原样读取；如这一行已作废，请删除整行",
    "sheet_unread_hidden": "隐藏的工作表“{sheet}”与已读取的工作表“{other}”表头相同（都是“{like}”表），其内容没有读取；"
                           "如已不用，请删除这张表",
    "satisfaction_ambiguous": "群众满意率填写为 {value}，按 {value}% 计低于 {least}%，本项目将因此失去评优资格；"
                              "如指 {scaled}%，请填写 {scaled} 或 {scaled}%；如确为 {value}%，请写明“{value}%”",
    "period_from_date": "报告期填写成了日期“{shown}”，已按 {label} 理解；如指季度，请填写如 2024年第2季度",
    # values
    "required": "必填项未填写",
    "formula_uncached": "单元格中是公式，但文件没有保存公式的计算结果，无法知道它显示的值；请用 Excel 或 WPS 打开本文件、保存后再提交",
    "merged_cells": "{area} 是合并单元格：内容只算作左上角 {first} 的，合并区域中其余单元格都视为未填写；请取消合并，在每个单元格分别填写",
    "control_characters": "内容中含有不可见的控制字符，已删除；请核对该单元格",
    "photos_too_many": "项目 {value} 的照片超过 {most} 张（从这一行起）；请只保留最能说明过程和成效的 {most} 张",
    "photo_outside": "照片“{value}”不在申报表所在的文件夹中；请把照片放在申报表旁边（或其中的子文件夹），这里只写文件名，如 开班仪式.jpg",
    "photo_missing": "找不到照片“{value}”{hint}：申报表所在的文件夹中没有这个文件；请核对文件名（含 .jpg 等扩展名），并把照片与申报表一起提交",
    "photo_too_large": "照片“{value}”有 {size} MB，超过 {most} MB 的上限；请用手机或电脑压缩后再提交",
    "photo_format": "照片“{value}”是 {format} 格式，不能用在文书中；请另存为 JPG 后再提交（可用的格式：JPG、PNG、HEIC、WebP、GIF、BMP、TIFF、AVIF）",
    "photo_row_empty": "这一行粘贴了一张图片，但没有填写项目编号和说明，这张图片不会用到；请把图片放在照片所在的行",
    "photo_unreadable": "照片“{value}”无法打开，文件可能已损坏或不是图片；请重新导出后再提交",
    # issue 19: photos from phones (HEIC) and pictures of other kinds
    "photo_vector": "照片“{value}”是 {format} 矢量图形（多是从 Word、Visio 等复制来的图形），不是照片，不能印在文书中；"
                    "请改用照片原图（JPG、PNG 或 HEIC），或把图形另存为 PNG 后再提交",
    "photo_frames": "照片“{value}”是含 {frames} 幅画面的 {format} 图像（动图或多页图像），文书中只能印一幅静止的照片；"
                    "请选定其中一幅另存为 JPG 后再提交",
    # issue 20: photos that take the server's memory (a picture is refused by the pixels its header declares)
    "photo_too_many_pixels": "照片“{value}”的像素过多{size}，超过 {most} 万像素的上限（手机拍的照片都在此以内），"
                             "无法处理；请缩小后（或用手机的普通拍照模式）再提交",
    "photo_pixels_unprinted": "照片的像素过多{size}，超过 {most} 万像素的上限，未印入文书；照片在校验后被换过，请重新上传申报表和照片",
    "glyph_missing": "{label}中的“{characters}”（{codes}）在本机的字体中都没有，PDF 中将显示为方框；"
                     "请改用常用字，或在本机装上含这些字的字体（docgen fonts 可查看各类文字所用的字体）",
    "glyph_style": "{label}中的“{characters}”在{role}的代用字体 {own_face} 中没有，PDF 中将改用{fallback}的字形，"
                   "与同一行的其他字字体不同；人名等不能改字的，在本机装上含这些字的同类字体即可一致"
                   "（如 Windows 的“仿宋”“楷体”；docgen fonts --check 可逐字查看）",
    "text_invalid": "应填写文字",
    "code_invalid": "编号“{value}”只能包含字母、数字、“-”和“_”",
    "code_too_long": "编号“{value}”有 {length} 个字符，最多 {limit} 个（编号是文书文件名的一部分）",
    "date_invalid": "无法识别的日期“{value}”，请填写如 2024-03-19 的日期",
    "percent_invalid": "无法识别的比例“{value}”，请填写 0–100 之间的数字或百分比，如 80 或 80%",
    "percent_out_of_range": "比例 {value}% 超出 0%–100% 的范围",
    "percent_ambiguous": "比例填写为 {value}，已按 {value}% 理解；如指 {scaled}%，请填写 {scaled} 或 {scaled}%",
    "score_invalid": "无法识别的得分“{value}”，请填写 0–100 之间的数字",
    "score_out_of_range": "得分 {value} 超出 0–100 的范围",
    "amount_invalid": "无法识别的金额“{value}”，请填写以万元为单位的数字，如 5 或 2.5",
    "amount_out_of_range": "金额 {value} 万元超出 0–100000 万元的范围",
    "seq_invalid": "“{value}”应为正整数",
    "phone_invalid": "联系电话“{value}”有误，应为 11 位手机号或带区号的固定电话（如 0931-8881234）",
    "category_unknown": "项目类别“{value}”不在规定类别中（{choices}）",
    "conclusion_unknown": "验收结论“{value}”应为 {choices} 之一",
    "period_invalid": "无法识别的报告期“{value}”，请填写如 2024年第2季度、2024Q2、2024年6月",
    "end_before_start": "结束日期早于开始日期 {start}",
    "deadline_before_task_start": "完成时限早于任务开始日期 {start}",
    "practice_units_count": "填写了牵头单位时，重点实践单位应为 {low}–{high} 个（“1+X”模式），现有 {count} 个",
    "value_invalid": "填写有误：{detail}",
    # rules across rows and sheets
    "duplicate_project_code": "项目编号“{value}”重复（第 {first} 行已使用）",
    "project_without_tasks": "项目“{value}”没有任何任务；每个项目至少分解一项任务（“五个明确”）",
    "unknown_project": "项目编号“{value}”在“项目信息”中不存在{hint}",
    "duplicate_task_seq": "项目“{project}”的任务序号 {value} 重复（第 {first} 行已使用）",
    "deadline_after_project_end": "完成时限晚于项目结束日期 {end}",
    "deadline_before_project_start": "完成时限早于项目开始日期 {start}",
    "task_start_outside_project": "任务开始日期不在项目起止日期（{start} 至 {end}）之内",
    "unknown_task": "项目“{project}”没有序号为 {value} 的任务",
    "progress_decreased": "任务 {task} 的完成比例由 {before_period}的 {before}% 降为 {value}%",
    "duplicate_progress": "与第 {first} 行的报告期和任务重复",
    "duplicate_result": "项目“{value}”的实施效果重复（第 {first} 行已填写）",
    "duplicate_cert_no": "证书编号“{value}”重复（第 {first} 行已使用）",
    # issue 19 (point 3): a mistyped year must not move the company's year
    "stat_date_outside_period": "报告期“{value}”（{start} 至 {end}）不包含本行的统计日期 {stat_date}；"
                                "请核对报告期和统计日期，二者至少有一个写错了（常见的是年份）",
    "date_far_from_project": "{label}“{value}”距项目“{project}”的起止日期（{start} 至 {end}）超过 {years} 年，"
                             "多半是年份写错了；请核对",
    "date_far_from_projects": "{label}“{value}”距本表各项目的起止日期（{start} 至 {end}）超过 {years} 年，"
                              "多半是年份写错了；请核对",
    "project_span_long": "项目从 {start} 到 {value}，历时超过 {years} 年；如结束日期的年份写错了，请改正",
    # issue 20: a branch submits only its own
    "branch_not_own": "申报党组织应为“{expected}”（本账号所属党组织），这里写的是“{value}”；"
                      "每个账号只能提交本党组织的申报表，请核对是否上传了其他党组织的文件",
    "project_code_taken": "项目编号“{value}”已由“{other}”提交；请核对编号，同一编号只能属于一个申报党组织的项目",
    # issue 21: dates that contradict the content
    "approved_after_end": "立项日期 {value} 晚于项目结束日期 {end}：立项表和计划书署立项日期，项目结束后不能再立项；请核对",
    "approved_after_start": "立项日期 {value} 晚于项目开始日期 {start}；立项表和计划书将署 {value}。"
                            "如项目是先开始、后补办立项，可不改；否则请核对日期",
    "stat_date_after_written": "统计日期 {value} 晚于成文日期 {written}：截至 {written} 的文书（进度报告、公示、"
                               "年度汇总报告、结题报告）不采用这一行；如日期写错了，请改正",
    "issuer_not_own": "颁发单位“{value}”不是本单位（{own}）；证书将以这个单位的名义颁发，请核对",
    # rules across workbooks
    "duplicate_project_across": "项目编号“{value}”与申报表“{other}”中 {other_cell} 的项目重复；请协调修改其中一个编号",
}

WARNINGS = frozenset({"column_unknown", "column_duplicate", "percent_ambiguous", "progress_decreased", "duplicate_progress",
                      "task_start_outside_project", "sheet_hidden", "merged_cells", "control_characters",
                      "glyph_missing", "glyph_style", "photo_row_empty",
                      "sheet_recognised", "sheet_unread", "row_hidden", "column_hidden", "column_unheaded",
                      "invisible_characters", "format_unknown", "number_rounded", "date_partly_shown",
                      "period_from_date", "amount_large", "list_unclear", "row_struck", "sheet_unread_hidden",
                      "project_span_long", "approved_after_start", "stat_date_after_written", "issuer_not_own"})  # date_far_from_project: an error in 进度, a warning elsewhere


def message(code: str, **ctx: Any) -> str:
    """Return the Chinese message for a code, filled with its context."""
    template = MESSAGES.get(code)
    if template is None:
        return ctx.get("detail") or code
    try:
        return template.format(**ctx)
    except (KeyError, IndexError):
        return template


def make_issue(code: str, location: Location = Location(), *, severity: Severity | None = None, value: Any = None, **ctx: Any) -> Issue:
    """Build an issue with the code's message and default severity."""
    if value is not None:
        ctx.setdefault("value", value)
    ctx.setdefault("label", location.label or "该项")
    return Issue(
        code=code,
        message=message(code, **ctx),
        location=location,
        severity=severity or ("warning" if code in WARNINGS else "error"),
        value=value,
    )
