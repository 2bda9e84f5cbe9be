"""The interface's words, in English (with the documents' Chinese terms beside them) and Chinese.

``t(key, lang)`` looks a string up; a key missing in Chinese falls back to English, a key missing
everywhere shows itself (so a typo is visible, never a crash). Strings hold no ambiguous-width
characters (no curly quotes, no ≥): see ``tui.display``.
"""

from __future__ import annotations

from textual.binding import Binding

PARTS: dict[str, tuple[str, str]] = {
    "document": ("Document", "文档"),
    "organization": ("Organization", "机构设置"),
    "budget": ("Budget", "预算总体"),
    "running_costs": ("Running costs", "机关运行经费"),
    "three_public": ("Three public expenses", "三公经费"),
    "procurement": ("Procurement", "政府采购"),
    "assets": ("Assets", "国有资产"),
    "performance": ("Performance", "绩效目标"),
}
"""Every part of the template: English name, the documents' Chinese term."""

PART_ORDER = (
    "document",
    "organization",
    "budget",
    "running_costs",
    "three_public",
    "procurement",
    "assets",
    "performance",
)

SEVERITIES: dict[str, tuple[str, str]] = {
    "error": ("error", "错误"),
    "warning": ("warning", "警告"),
    "info": ("info", "提示"),
}

_EN: dict[str, str] = {
    # navigation and bindings
    "app.title": "budget-reconcile",
    "nav.documents": "Documents",
    "nav.overview": "Overview",
    "nav.findings": "Findings",
    "nav.parts": "Parts",
    "nav.years": "Years",
    "key.quit": "Quit",
    "key.help": "Keys",
    "key.export": "Export",
    "key.documents": "Documents",
    "key.overview": "Overview",
    "key.findings": "Findings",
    "key.parts": "Parts",
    "key.years": "Years",
    "key.next": "Next",
    "key.prev": "Previous",
    "key.filter": "Filter",
    "key.rule": "Rule doc",
    "key.clear": "Clear filter",
    "key.sort": "Sort",
    "key.open": "Open",
    "key.close": "Close",
    "key.next_part": "Next part",
    "key.prev_part": "Previous part",
    "key.palette": "Commands",
    # loading
    "loading.reading": "Reading and checking {n} path(s)...",
    "loading.nothing": "No disclosure found in {paths}.",
    "loading.progress": "Read {done} of {total} file(s); checking follows...",
    # documents
    "docs.title": "Documents",
    "docs.department": "Department 部门",
    "docs.year": "Year 年度",
    "docs.kind": "Kind 类型",
    "docs.years": "Years",
    "docs.file": "File",
    "docs.errors": "Err",
    "docs.warnings": "Warn",
    "docs.info": "Info",
    "docs.summary": "{n} document(s), {shown} shown. Enter opens; y compares years; click a header to sort.",
    "docs.unreadable": "Could not read {n} input(s):",
    "kind.budget": "budget",
    "kind.final_accounts": "final accounts",
    # overview
    "ov.title": "Overview",
    "ov.department": "Department 部门",
    "ov.year": "Year 年度",
    "ov.kind": "Kind 类型",
    "ov.source": "Source file",
    "ov.encoding": "Encoding",
    "ov.title_line": "Title 标题",
    "ov.part": "Part 部分",
    "ov.status": "Status",
    "ov.errors": "Errors",
    "ov.warnings": "Warnings",
    "ov.info": "Info",
    "ov.line": "Line",
    "ov.total": "Total",
    "ov.missing": "missing",
    "ov.ok": "ok",
    "ov.problems": "problems",
    "ov.totals": "Totals: {error} error(s), {warning} warning(s), {info} info",
    # findings
    "fd.severity": "Severity",
    "fd.code": "Code",
    "fd.part": "Part",
    "fd.message": "Message",
    "fd.lines": "Lines",
    "fd.expected": "expected",
    "fd.actual": "actual",
    "fd.difference": "difference",
    "fd.tolerance": "tolerance",
    "fd.none": "No findings.",
    "fd.count": "{shown} of {total} finding(s)",
    "fd.filter": "Filter: text, or error / warning / info, a code (PRC, BUD001), a part (budget)",
    "fd.source": "Source",
    "fd.no_lines": "This finding has no line in the source ({location}).",
    "fd.rule_hint": "r: rule documentation",
    # parts
    "pt.budget": "Budget 预算",
    "pt.three_public": "Three public 三公",
    "pt.procurement": "Procurement 采购",
    "pt.assets": "Assets 资产",
    "pt.performance": "Performance 绩效",
    "pt.identity": "Identity 勾稽关系",
    "pt.stated": "Stated",
    "pt.computed": "Computed",
    "pt.difference": "Difference",
    "pt.tolerance": "Tolerance",
    "pt.status": "Status",
    "pt.rule": "Rule",
    "pt.row": "Row 项目",
    "pt.prior": "Prior year",
    "pt.current": "This year",
    "pt.change": "Change 增减",
    "pt.computed_change": "Computed change",
    "pt.reason": "Reason 原因",
    "pt.rows_sum": "Sum of rows",
    "pt.item": "Item 品目",
    "pt.code": "Code 目录",
    "pt.unit": "Unit",
    "pt.current_total": "当年合计",
    "pt.diff": "Diff",
    "pt.quantity": "Qty 数量",
    "pt.price": "Price 单价",
    "pt.amount": "Amt 金额",
    "pt.product": "Q x P",
    "pt.funding": "Funding",
    "pt.flags": "Flags",
    "pt.total_row": "合计 row",
    "pt.asset_value": "value",
    "pt.asset_sum": "children sum",
    "pt.asset_stated": "Stated in the text: {value} {unit}",
    "pt.project": "Project 项目",
    "pt.level1": "Level 1 一级",
    "pt.level2": "Level 2 二级",
    "pt.level3": "Level 3 三级",
    "pt.target": "Target 指标值",
    "pt.basis": "Basis 依据",
    "pt.absent": "This part is not in the document.",
    "pt.table_unit": "Amounts in {unit}.",
    "pt.loading": "Computing...",
    # budget identities
    "id.income": "income = personnel + operating + project",
    "id.expenditure": "expenditure = basic + project",
    "id.basic": "basic = personnel + operating",
    "id.personnel": "personnel: income = expenditure",
    "id.operating": "operating: income = expenditure",
    "id.balance": "income total = expenditure total",
    "id.project_levels": "project = own level + lower level",
    "id.project_income": "project income = project expenditure",
    "id.change_part": "project change <= total change",
    "id.prior_total": "last year's total = total - change",
    "id.running_items": "running-cost items vs total",
    "id.running_operating": "running costs <= operating costs",
    # years
    "yr.title": "Years",
    "yr.section": "Part",
    "yr.label": "Item",
    "yr.change": "Change",
    "yr.change_pct": "Change %",
    "yr.stated": "Stated change",
    "yr.status": "Status",
    "yr.single": "Only one year of {department} is loaded. Open two years of one department, e.g. reconcile tui 2020.txt 2021.txt.",
    "yr.unavailable": "Year-on-year comparison is not available yet ({reason}).",
    "yr.summary": "{old} -> {new}: {differences} difference(s) of {rows} item(s)",
    "yr.chart": "Basic vs project spending 基本支出 / 项目支出 (万元)",
    "yr.basic": "basic 基本",
    "yr.project": "project 项目",
    "yr.no_totals": "no budget totals",
    "status.changed": "changed",
    "status.added": "added",
    "status.removed": "removed",
    "status.unchanged": "unchanged",
    # export
    "ex.title": "Export findings (TOML)",
    "ex.prompt": "Write the findings of every loaded document to:",
    "ex.write": "Write",
    "ex.cancel": "Cancel",
    "ex.exists": "{path} exists. Replace it?",
    "ex.replace": "Replace",
    "ex.keep": "Keep it",
    "ex.done": "Wrote {n} finding(s) to {path}",
    "ex.error": "Could not write: {error}",
    "ex.empty": "Give a file name.",
    # help and rule doc
    "help.title": "Keys",
    "help.where": "Where",
    "help.key": "Key",
    "help.action": "Action",
    "help.global": "everywhere",
    "help.table": "tables",
    "help.dialogs": "dialogs",
    "help.mouse": "The mouse works too: click tabs, rows and headers (sorts), scroll with the wheel.",
    "help.palette": "Ctrl+P opens the command palette with every action.",
    "rule.title": "Rule {code}",
    "rule.message": "Message",
    "rule.unknown": "No documentation for {code}.",
    # commands
    "cmd.open": "Open {what}",
    "cmd.export": "Export findings to TOML",
    "cmd.help": "Show every key",
    "cmd.quit": "Quit the application",
    "cmd.next": "Next finding or difference",
    "cmd.prev": "Previous finding or difference",
    "cmd.filter": "Filter the findings",
    "cmd.rule": "Show the documentation of the selected finding's rule",
    # misc
    "no_document": "No document is open.",
    "none": "-",
}

_ZH: dict[str, str] = {
    "app.title": "预算勾稽核对",
    "nav.documents": "文档列表",
    "nav.overview": "概览",
    "nav.findings": "问题",
    "nav.parts": "分项",
    "nav.years": "年度对比",
    "key.quit": "退出",
    "key.help": "按键",
    "key.export": "导出",
    "key.documents": "文档",
    "key.overview": "概览",
    "key.findings": "问题",
    "key.parts": "分项",
    "key.years": "年度",
    "key.next": "下一个",
    "key.prev": "上一个",
    "key.filter": "筛选",
    "key.rule": "规则说明",
    "key.clear": "清除筛选",
    "key.sort": "排序",
    "key.open": "打开",
    "key.close": "关闭",
    "key.next_part": "下一部分",
    "key.prev_part": "上一部分",
    "key.palette": "命令",
    "loading.reading": "正在读取并核对 {n} 个路径...",
    "loading.nothing": "在 {paths} 中没有找到预算公开文件。",
    "loading.progress": "已读取 {done} / {total} 个文件，随后核对...",
    "docs.title": "文档列表",
    "docs.department": "部门",
    "docs.year": "年度",
    "docs.kind": "类型",
    "docs.years": "已载入年度",
    "docs.file": "文件",
    "docs.errors": "错误",
    "docs.warnings": "警告",
    "docs.info": "提示",
    "docs.summary": "共 {n} 个文档，显示 {shown} 个。回车打开；y 对比年度；点击表头排序。",
    "docs.unreadable": "{n} 个输入无法读取：",
    "kind.budget": "预算",
    "kind.final_accounts": "决算",
    "ov.title": "概览",
    "ov.department": "部门",
    "ov.year": "年度",
    "ov.kind": "类型",
    "ov.source": "源文件",
    "ov.encoding": "编码",
    "ov.title_line": "标题",
    "ov.part": "部分",
    "ov.status": "状态",
    "ov.errors": "错误",
    "ov.warnings": "警告",
    "ov.info": "提示",
    "ov.line": "行",
    "ov.total": "合计",
    "ov.missing": "缺失",
    "ov.ok": "无问题",
    "ov.problems": "有问题",
    "ov.totals": "合计：错误 {error} 个，警告 {warning} 个，提示 {info} 个",
    "fd.severity": "级别",
    "fd.code": "代码",
    "fd.part": "部分",
    "fd.message": "说明",
    "fd.lines": "行",
    "fd.expected": "应为",
    "fd.actual": "实为",
    "fd.difference": "差额",
    "fd.tolerance": "容差",
    "fd.none": "没有问题。",
    "fd.count": "显示 {shown} / {total} 个问题",
    "fd.filter": "筛选：文字，或 error / warning / info、规则代码（PRC、BUD001）、部分（budget）",
    "fd.source": "原文",
    "fd.no_lines": "该问题在原文中没有行号（{location}）。",
    "fd.rule_hint": "r：规则说明",
    "pt.budget": "预算总体",
    "pt.three_public": "三公经费",
    "pt.procurement": "政府采购",
    "pt.assets": "国有资产",
    "pt.performance": "绩效目标",
    "pt.identity": "勾稽关系",
    "pt.stated": "列示数",
    "pt.computed": "计算数",
    "pt.difference": "差额",
    "pt.tolerance": "容差",
    "pt.status": "状态",
    "pt.rule": "规则",
    "pt.row": "项目",
    "pt.prior": "上年预算",
    "pt.current": "本年预算",
    "pt.change": "增减金额",
    "pt.computed_change": "计算增减",
    "pt.reason": "增减原因",
    "pt.rows_sum": "各行合计",
    "pt.item": "采购品目",
    "pt.code": "目录序号",
    "pt.unit": "单位",
    "pt.current_total": "当年合计",
    "pt.diff": "差额",
    "pt.quantity": "数量",
    "pt.price": "单价",
    "pt.amount": "金额",
    "pt.product": "数量x单价",
    "pt.funding": "资金来源合计",
    "pt.flags": "问题",
    "pt.total_row": "合计行",
    "pt.asset_value": "价值",
    "pt.asset_sum": "下级合计",
    "pt.asset_stated": "正文所列：{value} {unit}",
    "pt.project": "项目",
    "pt.level1": "一级指标",
    "pt.level2": "二级指标",
    "pt.level3": "三级指标",
    "pt.target": "指标值",
    "pt.basis": "确定依据",
    "pt.absent": "文档中没有这一部分。",
    "pt.table_unit": "金额单位：{unit}。",
    "pt.loading": "计算中...",
    "id.income": "收入 = 人员经费 + 公用经费 + 专项",
    "id.expenditure": "支出 = 基本支出 + 项目支出",
    "id.basic": "基本支出 = 人员经费 + 公用经费",
    "id.personnel": "人员经费：收入 = 支出",
    "id.operating": "公用经费：收入 = 支出",
    "id.balance": "收入总额 = 支出总额",
    "id.project_levels": "项目支出 = 本级 + 对下",
    "id.project_income": "专项收入 = 项目支出",
    "id.change_part": "项目增加 <= 总增加",
    "id.prior_total": "上年总额 = 本年 - 增减",
    "id.running_items": "运行经费明细与总额",
    "id.running_operating": "运行经费 <= 公用经费",
    "yr.title": "年度对比",
    "yr.section": "部分",
    "yr.label": "项目",
    "yr.change": "增减",
    "yr.change_pct": "增减%",
    "yr.stated": "列示增减",
    "yr.status": "状态",
    "yr.single": "只载入了 {department} 的一个年度。请同时打开同一部门的两个年度。",
    "yr.unavailable": "年度对比暂不可用（{reason}）。",
    "yr.summary": "{old} -> {new}：{rows} 项中 {differences} 项不同",
    "yr.chart": "基本支出 / 项目支出（万元）",
    "yr.basic": "基本",
    "yr.project": "项目",
    "yr.no_totals": "没有预算总额",
    "status.changed": "有变化",
    "status.added": "新增",
    "status.removed": "删除",
    "status.unchanged": "未变",
    "ex.title": "导出问题清单（TOML）",
    "ex.prompt": "将所有已载入文档的问题写入：",
    "ex.write": "写入",
    "ex.cancel": "取消",
    "ex.exists": "{path} 已存在，是否替换？",
    "ex.replace": "替换",
    "ex.keep": "保留",
    "ex.done": "已将 {n} 个问题写入 {path}",
    "ex.error": "无法写入：{error}",
    "ex.empty": "请输入文件名。",
    "help.title": "按键",
    "help.where": "位置",
    "help.key": "按键",
    "help.action": "操作",
    "help.global": "全局",
    "help.table": "表格",
    "help.dialogs": "对话框",
    "help.mouse": "也可以使用鼠标：点击标签、行和表头（排序），滚轮滚动。",
    "help.palette": "Ctrl+P 打开命令面板，可执行所有操作。",
    "rule.title": "规则 {code}",
    "rule.message": "消息",
    "rule.unknown": "没有 {code} 的说明。",
    "cmd.open": "打开{what}",
    "cmd.export": "导出问题清单为 TOML",
    "cmd.help": "显示所有按键",
    "cmd.quit": "退出程序",
    "cmd.next": "下一个问题或差异",
    "cmd.prev": "上一个问题或差异",
    "cmd.filter": "筛选问题",
    "cmd.rule": "显示所选问题的规则说明",
    "no_document": "没有打开的文档。",
    "none": "-",
}

STRINGS: dict[str, dict[str, str]] = {"en": _EN, "zh": _ZH}
LANGS = tuple(STRINGS)


def t(key: str, lang: str = "en", **values: object) -> str:
    """The string ``key`` in ``lang``, formatted with ``values``."""
    text = STRINGS.get(lang, _EN).get(key) or _EN.get(key) or key
    return text.format(**values) if values else text


def part_label(section: str, lang: str = "en", *, short: bool = False) -> str:
    """A part's name: ``Budget 预算总体`` in English (the document's term beside it), ``预算总体`` in
    Chinese; ``short`` gives only the first word of the English name."""
    en, zh = PARTS.get(section, (section, section))
    if lang == "zh":
        return zh
    return en.split()[0].lower() if short else f"{en} {zh}"


_SHORT_EN = {
    "document": "doc",
    "organization": "org",
    "budget": "budget",
    "running_costs": "running",
    "three_public": "3-public",
    "procurement": "procure",
    "assets": "assets",
    "performance": "perf",
}
_SHORT_ZH = {
    "document": "文档",
    "organization": "机构",
    "budget": "预算",
    "running_costs": "运行",
    "three_public": "三公",
    "procurement": "采购",
    "assets": "资产",
    "performance": "绩效",
}


def part_short(section: str, lang: str = "en") -> str:
    """A part's name for a narrow table column: ``budget 预算`` (Chinese: ``预算``)."""
    zh = _SHORT_ZH.get(section) or PARTS.get(section, (section, section))[1][:2]
    return zh if lang == "zh" else f"{_SHORT_EN.get(section, section)} {zh}"


def severity_label(severity: str, lang: str = "en") -> str:
    en, zh = SEVERITIES.get(severity, (severity, severity))
    return zh if lang == "zh" else en


def localize_bindings(node: object, lang: str) -> None:
    """Translate the descriptions of ``node``'s bindings in place (descriptions are i18n keys).

    Bindings are class attributes built before the language is known; the node's own copy of the
    bindings map (``_bindings``, one per instance) is rewritten so the footer and the help screen
    show the chosen language."""
    bindings_map = getattr(node, "_bindings", None)
    if bindings_map is None:
        return
    from dataclasses import replace

    for key, bindings in bindings_map.key_to_bindings.items():
        bindings_map.key_to_bindings[key] = [
            replace(b, description=t(b.description, lang))
            if b.description.startswith("key.")
            else b
            for b in bindings
        ]


def binding(key: str, action: str, description: str, *, show: bool = True, **kw: object) -> Binding:
    """A Binding whose description is an i18n key (translated by :func:`localize_bindings`)."""
    return Binding(key, action, description, show=show, **kw)  # type: ignore[arg-type]
