//! Charts of the leader's home and the data-supervision overview (issue #16 §3).
//!
//! Each chart is an ECharts option built here with serde_json (the `charming` crate is stale)
//! and rendered by `static/app.js` from a `div.chart[data-chart]`. Every data item carries a
//! `url`: a click opens the records behind the figure (the findings list filtered by model,
//! status or checking unit). Tooltips render as rich text in the canvas: the page's CSP allows
//! no inline styles, which ECharts' HTML tooltips need.

use qinglian_domain::data_supervision::FindingState;
use qinglian_domain::workflow::State;
use qinglian_store::Scope;
use qinglian_store::data_supervision as sv;
use serde_json::{Value, json};

use crate::App;
use crate::error::AppError;

/// One chart: a title and its ECharts option as JSON text (for `data-chart`).
pub struct Chart {
    /// HTML id of the chart's element.
    pub id: &'static str,
    /// Title shown above it.
    pub title: &'static str,
    /// The option, as JSON.
    pub option: String,
}

fn finding_list(query: &str) -> String {
    format!("/ds/findings?{query}")
}

/// Findings per model (by the title their findings recorded), stacked by where their
/// checking stands.
pub fn by_model(stats: &[sv::ModelStat]) -> Value {
    let names: Vec<&str> = stats.iter().map(|s| s.title.as_str()).collect();
    let series = |name: &str, pick: fn(&sv::ModelStat) -> i64, status: Option<&str>| {
        json!({
            "name": name,
            "type": "bar",
            "stack": "total",
            "data": stats.iter().map(|s| json!({
                "value": pick(s),
                "url": finding_list(&match status {
                    Some(st) => format!("model={}&status={st}", crate::ui::enc(&s.model)),
                    None => format!("model={}", crate::ui::enc(&s.model)),
                }),
            })).collect::<Vec<_>>(),
        })
    };
    json!({
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}, "renderMode": "richText"},
        "legend": {"top": 0},
        "grid": {"left": 8, "right": 16, "bottom": 8, "top": 32, "containLabel": true},
        "xAxis": {"type": "value", "minInterval": 1},
        "yAxis": {"type": "category", "data": names, "inverse": true},
        "series": [
            series("待派发", |s| s.new, Some("new")),
            series("核查中", |s| s.in_progress, None),
            series("属实", |s| s.confirmed, Some("confirmed")),
            series("部分属实", |s| s.partly, Some("partly_confirmed")),
            series("不属实", |s| s.dismissed, Some("dismissed")),
        ],
    })
}

/// Findings by status (checking progress).
pub fn by_status(counts: &[(String, i64)]) -> Value {
    json!({
        "tooltip": {"trigger": "item", "formatter": "{b}：{c}条（{d}%）", "renderMode": "richText"},
        "legend": {"bottom": 0},
        "series": [{
            "type": "pie",
            "radius": ["40%", "68%"],
            "data": counts.iter().map(|(code, n)| json!({
                "name": FindingState::parse(code).map_or(code.as_str(), |s| s.label()),
                "value": n,
                "url": finding_list(&format!("status={code}")),
            })).collect::<Vec<_>>(),
        }],
    })
}

/// Findings sent to each unit, with how many are concluded and how many overdue.
pub fn by_unit(units: &[(qinglian_store::org::OrgId, String, i64, i64, i64)]) -> Value {
    let names: Vec<&str> = units.iter().map(|u| u.1.as_str()).collect();
    let series =
        |name: &str, pick: fn(&(qinglian_store::org::OrgId, String, i64, i64, i64)) -> i64, color: Option<&str>| {
            let mut s = json!({
                "name": name,
                "type": "bar",
                "data": units.iter().map(|u| json!({
                    "value": pick(u),
                    "url": finding_list(&format!("check_org_id={}", u.0)),
                })).collect::<Vec<_>>(),
            });
            if let Some(c) = color {
                s["itemStyle"] = json!({"color": c});
            }
            s
        };
    json!({
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}, "renderMode": "richText"},
        "legend": {"top": 0},
        "grid": {"left": 8, "right": 16, "bottom": 8, "top": 32, "containLabel": true},
        "xAxis": {"type": "value", "minInterval": 1},
        "yAxis": {"type": "category", "data": names, "inverse": true},
        "series": [
            series("派发核查", |u| u.2, None),
            series("已办结", |u| u.3, Some("#2b7a3d")),
            series("逾期未反馈", |u| u.4, Some("#c8161d")),
        ],
    })
}

/// The data-supervision charts for a user's scope (empty when there are no findings).
pub async fn data_supervision(app: &App, scope: &Scope) -> Result<Vec<Chart>, AppError> {
    let stats = sv::model_stats(&app.db, scope).await?;
    if stats.is_empty() {
        return Ok(Vec::new());
    }
    let statuses = sv::status_counts(&app.db, scope).await?;
    let units = sv::unit_counts(&app.db, scope, app.today(), 10).await?;
    let mut out = vec![
        Chart {
            id: "chart-by-model",
            title: "各模型疑点及核查结果",
            option: by_model(&stats).to_string(),
        },
        Chart {
            id: "chart-by-status",
            title: "核查进度",
            option: by_status(&statuses).to_string(),
        },
    ];
    if !units.is_empty() {
        out.push(Chart {
            id: "chart-by-unit",
            title: "各单位核查情况（前10）",
            option: by_unit(&units).to_string(),
        });
    }
    Ok(out)
}

/// One figure of a simple chart: its label, value and the list behind it.
pub struct Item {
    /// Label.
    pub label: String,
    /// Value.
    pub value: i64,
    /// The records behind it.
    pub url: String,
}

/// A horizontal bar chart of items (any module's counts by one dimension).
pub fn bars(name: &str, items: &[Item]) -> Value {
    json!({
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}, "renderMode": "richText"},
        "grid": {"left": 8, "right": 24, "bottom": 8, "top": 8, "containLabel": true},
        "xAxis": {"type": "value", "minInterval": 1},
        "yAxis": {"type": "category", "data": items.iter().map(|i| i.label.as_str()).collect::<Vec<_>>(), "inverse": true},
        "series": [{
            "name": name,
            "type": "bar",
            "label": {"show": true, "position": "right"},
            "data": items.iter().map(|i| json!({"value": i.value, "url": i.url})).collect::<Vec<_>>(),
        }],
    })
}

/// A ring (pie) chart of items.
pub fn ring(unit: &str, items: &[Item]) -> Value {
    json!({
        "tooltip": {"trigger": "item", "formatter": format!("{{b}}：{{c}}{unit}（{{d}}%）"), "renderMode": "richText"},
        "legend": {"bottom": 0},
        "series": [{
            "type": "pie",
            "radius": ["40%", "68%"],
            "data": items.iter().map(|i| json!({"name": i.label, "value": i.value, "url": i.url})).collect::<Vec<_>>(),
        }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every figure carries the link to the records behind it.
    #[test]
    fn every_item_links_to_its_findings() {
        let v = by_status(&[("new".into(), 3), ("checking".into(), 2)]);
        let data = v["series"][0]["data"].as_array().unwrap();
        assert_eq!(data[0]["name"], "待派发");
        assert_eq!(data[0]["url"], "/ds/findings?status=new");
        let u = by_unit(&[(qinglian_store::org::OrgId(7), "示例市财政局 / 财务科".into(), 4, 1, 2)]);
        assert_eq!(u["series"][2]["data"][0]["value"], 2);
        assert_eq!(u["series"][0]["data"][0]["url"], "/ds/findings?check_org_id=7");
        let stats = vec![sv::ModelStat {
            model: "paid_after_death".into(),
            title: "死亡后仍领取待遇".into(),
            findings: 5,
            new: 1,
            in_progress: 1,
            confirmed: 2,
            partly: 0,
            dismissed: 1,
        }];
        let m = by_model(&stats);
        assert_eq!(m["yAxis"]["data"][0], "死亡后仍领取待遇");
        assert_eq!(
            m["series"][2]["data"][0]["url"],
            "/ds/findings?model=paid_after_death&status=confirmed"
        );
    }
}
