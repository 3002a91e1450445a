//! The Excel template made from the configuration, the same layout as CSV for Swedish Excel, and a
//! year's tallies exported in that layout (which the import reads back).

use super::{CHOICES, COUNT, INSATS, INSTRUCTIONS, KIND, MONTH, MULTI_SEPARATOR, sheet_name};
use crate::domain::{Config, Dimension, Insats, Kind, Shape};
use crate::store::tally::Group;
use rust_xlsxwriter::{
    DataValidation, DataValidationErrorStyle, DataValidationRule, Format, Formula, Workbook, XlsxError,
};

/// The rows a template's drop-down lists cover (Excel's last row is 1 048 576).
const ROWS: u32 = 100_000;

/// The kinds a template or export covers: tally kinds (not structural activities) that one of
/// `insatser` takes, in configuration order; only `kind` if given.
pub fn kinds<'a>(config: &'a Config, insatser: &[&'a Insats], kind: Option<&'a Kind>) -> Vec<&'a Kind> {
    config
        .kinds
        .iter()
        .filter(|k| k.shape == Shape::Tally)
        .filter(|k| insatser.iter().any(|i| i.kind_ids.contains(&k.id)))
        .filter(|k| kind.is_none_or(|only| only.id == k.id))
        .collect()
}

/// The questions of a kind a template asks, in form order: retired ones left out.
fn questions<'a>(config: &'a Config, kind: &Kind) -> Vec<(&'a Dimension, bool, bool)> {
    kind.dimensions
        .iter()
        .filter_map(|kd| config.dimension_by_id(kd.dimension_id).map(|d| (d, kd.required, kd.multiple)))
        .filter(|(d, ..)| !d.retired)
        .collect()
}

fn instructions(config: &Config, kinds: &[&Kind]) -> Vec<String> {
    let mut lines = vec![
        format!("Mall för att föra in registreringar i Pinne – {}", config.association),
        String::new(),
        "Så här fyller du i mallen".into(),
        "1. Varje blad är en typ av registrering (till exempel Inskrivning eller Avslut).".into(),
        "2. En rad är en registrering, eller flera likadana: skriv hur många i kolumnen Antal (tomt betyder 1).".into(),
        "3. Insats: välj i listan. Månad: skriv år och månad som ÅÅÅÅ-MM, till exempel 2024-03.".into(),
        "4. Välj ett alternativ per fråga i listan. Frågor med flera val: skilj valen med semikolon (;).".into(),
        "5. Lämna en fråga tom om uppgiften saknas; frågor markerade (krävs) måste fyllas i.".into(),
        "6. Skriv aldrig namn, personnummer, e-postadresser eller annan fritext: Pinne tar inte emot filen då.".into(),
        "7. Ändra inte rubrikerna och lägg inte till kolumner. Formler läses inte: klistra in som värden.".into(),
        "8. Ladda upp filen under Importera i Pinne. Du ser först vad som skulle sparas och alla fel, rad för rad;"
            .into(),
        "   inget sparas förrän du bekräftar, och en import kan ångras i sin helhet.".into(),
        String::new(),
        "Bladen i mallen".into(),
    ];
    for k in kinds {
        let required: Vec<String> =
            questions(config, k).iter().filter(|(_, required, _)| *required).map(|(d, ..)| d.label.clone()).collect();
        let req = if required.is_empty() { String::new() } else { format!(" – krävs: {}", required.join(", ")) };
        lines.push(format!("{}{req}", sheet_name(&k.label)));
    }
    lines
}

/// The template as an XLSX workbook: instructions first, one sheet per kind with a column per
/// question and a drop-down list of its choices (retired ones left out), and a hidden sheet with
/// the lists.
pub fn xlsx(config: &Config, insatser: &[&Insats], kind: Option<&Kind>) -> Result<Vec<u8>, XlsxError> {
    let kinds = kinds(config, insatser, kind);
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let text = Format::new().set_num_format("@");
    {
        let sheet = book.add_worksheet().set_name(INSTRUCTIONS)?;
        sheet.set_column_width(0, 110)?;
        for (r, line) in instructions(config, &kinds).iter().enumerate() {
            if r == 0 || line == "Så här fyller du i mallen" || line == "Bladen i mallen" {
                sheet.write_string_with_format(r as u32, 0, line, &bold)?;
            } else {
                sheet.write_string(r as u32, 0, line)?;
            }
        }
    }
    // The lists, one column each on the hidden sheet: (column letters, length).
    let mut lists: Vec<Vec<String>> = Vec::new();
    let mut list_ref = |items: Vec<String>| -> String {
        let col = lists.iter().position(|l| *l == items).unwrap_or_else(|| {
            lists.push(items.clone());
            lists.len() - 1
        });
        let letters = super::read::column_letters(col);
        format!("={CHOICES}!${letters}$2:${letters}${}", lists[col].len() + 1)
    };
    let mut sheets = Vec::new();
    for k in &kinds {
        let takers: Vec<String> =
            insatser.iter().filter(|i| i.kind_ids.contains(&k.id)).map(|i| i.label.clone()).collect();
        let mut columns: Vec<(String, Option<String>, String, bool)> =
            vec![(INSATS.into(), Some(list_ref(takers)), "Välj insatsen.".into(), false)];
        columns.push((MONTH.into(), None, "År och månad som ÅÅÅÅ-MM, till exempel 2024-03.".into(), false));
        for (d, required, multiple) in questions(config, k) {
            let values: Vec<String> = d.active_values().map(|v| v.label.clone()).collect();
            let hint = match (required, multiple) {
                (true, _) => "Krävs. Välj i listan.",
                (false, true) => "Flera val: skilj dem med semikolon (;). Tomt om uppgiften saknas.",
                (false, false) => "Välj i listan; tomt om uppgiften saknas.",
            };
            columns.push((d.label.clone(), Some(list_ref(values)), hint.into(), multiple));
        }
        sheets.push((k, columns));
    }
    for (k, columns) in sheets {
        let sheet = book.add_worksheet().set_name(sheet_name(&k.label))?;
        let n = columns.len() as u16;
        for (c, (heading, list, hint, multiple)) in columns.iter().enumerate() {
            let c = c as u16;
            sheet.write_string_with_format(0, c, heading, &bold)?;
            sheet.set_column_width(c, (heading.chars().count().clamp(10, 45)) as f64)?;
            let mut dv = match list {
                Some(formula) => DataValidation::new().allow_list_formula(Formula::new(formula)),
                None => DataValidation::new().allow_any_value(),
            };
            dv = dv.set_input_message(cut(hint, 250))?;
            if *multiple {
                dv = dv.set_error_style(DataValidationErrorStyle::Information);
            }
            sheet.add_data_validation(1, c, ROWS, c, &dv)?;
            if heading == MONTH {
                sheet.set_column_format(c, &text)?;
            }
        }
        sheet.write_string_with_format(0, n, COUNT, &bold)?;
        sheet.set_column_width(n, 8)?;
        let whole = DataValidation::new()
            .allow_whole_number(DataValidationRule::Between(0, super::rows::MAX_COUNT as i32))
            .set_input_message("Hur många likadana registreringar raden står för. Tomt betyder 1.")?;
        sheet.add_data_validation(1, n, ROWS, n, &whole)?;
        sheet.set_freeze_panes(1, 0)?;
    }
    let choices = book.add_worksheet().set_name(CHOICES)?;
    for (c, items) in lists.iter().enumerate() {
        choices.write_string(0, c as u16, "Val")?;
        for (r, item) in items.iter().enumerate() {
            choices.write_string(r as u32 + 1, c as u16, item)?;
        }
    }
    choices.set_hidden(true);
    book.save_to_buffer()
}

fn cut(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

/// The header of the CSV layout: Insats, Registrering, Månad, every question of `kinds` (each once,
/// in order of first use), Antal.
pub fn csv_columns<'a>(config: &'a Config, kinds: &[&Kind]) -> Vec<&'a Dimension> {
    let mut dims: Vec<&Dimension> = Vec::new();
    for k in kinds {
        for (d, ..) in questions(config, k) {
            if !dims.iter().any(|x| x.id == d.id) {
                dims.push(d);
            }
        }
    }
    dims
}

/// The CSV layout for Swedish Excel (UTF-8 with BOM, ";"): the header, then one row per group.
/// With no groups it is the CSV template.
pub fn csv(config: &Config, kinds: &[&Kind], groups: &[Group]) -> Vec<u8> {
    let dims = csv_columns(config, kinds);
    let mut w = csv::WriterBuilder::new().delimiter(b';').from_writer(b"\xEF\xBB\xBF".to_vec());
    let mut header = vec![INSATS.to_string(), KIND.to_string(), MONTH.to_string()];
    header.extend(dims.iter().map(|d| d.label.clone()));
    header.push(COUNT.into());
    w.write_record(&header).expect("writing to memory");
    for g in groups {
        let (Some(i), Some(k)) = (config.insats_by_id(g.insats_id), config.kind_by_id(g.kind_id)) else { continue };
        let mut record = vec![i.label.clone(), k.label.clone(), g.period.to_string()];
        for d in &dims {
            let chosen: Vec<&str> = g
                .values
                .iter()
                .filter(|(dim, _)| *dim == d.id)
                .filter_map(|(_, v)| d.value_by_id(*v))
                .map(|v| v.label.as_str())
                .collect();
            record.push(chosen.join(MULTI_SEPARATOR));
        }
        record.push(g.n.to_string());
        w.write_record(&record).expect("writing to memory");
    }
    w.into_inner().expect("writing to memory")
}
