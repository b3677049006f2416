//! Parameter substitution in model SQL and explanation templates.
//!
//! SQL: `{{name}}` becomes a literal (number, TRUE/FALSE, quoted text, or `('a', 'b')` for a
//! list, usable after IN; an empty list is `(NULL)` and matches nothing). `{{name ~ expr}}`
//! becomes a NULL-safe test that the text `expr` contains any keyword of the list `name`
//! (FALSE for an empty list). `{{name | values}}` becomes a one-column table of the list's
//! texts, `(SELECT * FROM (VALUES ('a'), ('b')) AS v(column1))` with the column `column1` (an
//! empty table for an empty list), usable in FROM. The column is named explicitly because
//! engines name VALUES columns differently (DataFusion `column1`, DuckDB `col0`), and the same
//! rendered SQL runs in DuckDB for the benchmark.

use serde_json::Value;

use super::{ModelError, Param, ParamValue};

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

fn number_literal(f: f64) -> String {
    if f.is_finite() {
        format!("{f:?}")
    } else {
        "NULL".to_string()
    }
}

fn literal(value: &ParamValue) -> String {
    match value {
        ParamValue::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        ParamValue::Int(i) => i.to_string(),
        ParamValue::Number(f) => number_literal(*f),
        ParamValue::Text(s) => quote(s),
        ParamValue::List(l) if l.is_empty() => "(NULL)".to_string(),
        ParamValue::List(l) => format!("({})", l.iter().map(|s| quote(s)).collect::<Vec<_>>().join(", ")),
    }
}

/// Substitutes parameters into a SQL template.
pub fn render_sql(sql: &str, params: &[Param]) -> Result<String, ModelError> {
    let mut out = String::with_capacity(sql.len() + 256);
    let mut rest = sql;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after
            .find("}}")
            .ok_or_else(|| ModelError::Template("“{{”没有对应的“}}”".to_string()))?;
        let inner = after[..end].trim();
        if let Some(name) = inner
            .strip_suffix("values")
            .and_then(|n| n.trim_end().strip_suffix('|'))
        {
            let name = name.trim();
            let param = params
                .iter()
                .find(|p| p.name == name)
                .ok_or_else(|| ModelError::Template(format!("未知参数“{name}”")))?;
            let texts: Vec<String> = match &param.value {
                ParamValue::List(l) => l.clone(),
                ParamValue::Text(s) => vec![s.clone()],
                _ => {
                    return Err(ModelError::Template(format!("参数“{name}”不是文本列表，不能用作表")));
                }
            };
            if texts.is_empty() {
                out.push_str("(SELECT CAST(NULL AS VARCHAR) AS column1 WHERE FALSE)");
            } else {
                let rows: Vec<String> = texts.iter().map(|t| format!("({})", quote(t))).collect();
                out.push_str(&format!("(SELECT * FROM (VALUES {}) AS v(column1))", rows.join(", ")));
            }
            rest = &after[end + 2..];
            continue;
        }
        let (name, expr) = match inner.split_once('~') {
            Some((n, e)) => (n.trim(), Some(e.trim())),
            None => (inner, None),
        };
        let param = params
            .iter()
            .find(|p| p.name == name)
            .ok_or_else(|| ModelError::Template(format!("未知参数“{name}”")))?;
        match expr {
            None => out.push_str(&literal(&param.value)),
            Some(expr) => {
                let words: Vec<String> = match &param.value {
                    ParamValue::List(l) => l.clone(),
                    ParamValue::Text(s) => vec![s.clone()],
                    _ => {
                        return Err(ModelError::Template(format!(
                            "参数“{name}”不是文本列表，不能用于包含判断"
                        )));
                    }
                };
                let words: Vec<&String> = words.iter().filter(|w| !w.is_empty()).collect();
                if words.is_empty() {
                    out.push_str("FALSE");
                } else {
                    let tests: Vec<String> = words
                        .iter()
                        .map(|w| format!("COALESCE(strpos({expr}, {}), 0) > 0", quote(w)))
                        .collect();
                    out.push('(');
                    out.push_str(&tests.join(" OR "));
                    out.push(')');
                }
            }
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Text of a JSON value for an explanation: numbers without a useless ".0", null as empty.
pub fn display(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Number(n) => match n.as_f64() {
            Some(f) if n.is_f64() => {
                if f.fract() == 0.0 && f.abs() < 1e15 {
                    format!("{}", f as i64)
                } else {
                    let s = format!("{f:.2}");
                    s.trim_end_matches('0').trim_end_matches('.').to_string()
                }
            }
            _ => n.to_string(),
        },
        other => other.to_string(),
    }
}

fn param_display(value: &ParamValue) -> String {
    match value {
        ParamValue::Bool(b) => if *b { "是" } else { "否" }.to_string(),
        ParamValue::Int(i) => i.to_string(),
        ParamValue::Number(f) => display(&serde_json::json!(f)),
        ParamValue::Text(s) => s.clone(),
        ParamValue::List(l) => l.join("、"),
    }
}

/// Fills an explanation template: `{key}` is looked up in `fixed`, then the parameters, then
/// the first evidence row; unknown keys stay as written.
pub fn render_explanation(
    template: &str,
    fixed: &[(&str, String)],
    params: &[Param],
    first: Option<&serde_json::Map<String, Value>>,
) -> String {
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return out;
        };
        let key = &after[..end];
        let value = fixed
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.clone())
            .or_else(|| params.iter().find(|p| p.name == key).map(|p| param_display(&p.value)))
            .or_else(|| first.and_then(|m| m.get(key)).map(display));
        match value {
            Some(v) => out.push_str(&v),
            None => {
                out.push('{');
                out.push_str(key);
                out.push('}');
            }
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(name: &str, value: ParamValue) -> Param {
        Param {
            name: name.to_string(),
            label: name.to_string(),
            value,
        }
    }

    #[test]
    fn renders_literals_and_contains() {
        let params = vec![
            p("n", ParamValue::Int(3)),
            p("r", ParamValue::Number(0.995)),
            p("k", ParamValue::List(vec!["低保".into(), "O'Neil".into()])),
            p("e", ParamValue::List(vec![])),
        ];
        let sql = render_sql(
            "a >= {{n}} AND b > {{ r }} AND {{k ~ t.program}} AND c IN {{k}} AND {{e~x}}",
            &params,
        )
        .unwrap();
        assert_eq!(
            sql,
            "a >= 3 AND b > 0.995 AND (COALESCE(strpos(t.program, '低保'), 0) > 0 OR \
             COALESCE(strpos(t.program, 'O''Neil'), 0) > 0) AND c IN ('低保', 'O''Neil') AND FALSE"
        );
        assert_eq!(
            render_sql("SELECT * FROM {{k | values}} v, {{e|values}} w", &params).unwrap(),
            "SELECT * FROM (SELECT * FROM (VALUES ('低保'), ('O''Neil')) AS v(column1)) v, \
             (SELECT CAST(NULL AS VARCHAR) AS column1 WHERE FALSE) w"
        );
        assert!(render_sql("{{n | values}}", &params).is_err());
        assert!(render_sql("{{missing}}", &params).is_err());
        assert!(render_sql("{{n", &params).is_err());
    }
}
