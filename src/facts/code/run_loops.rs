//! Loops that call out and handle errors but are not retries, for
//! `retry-storm`. Two shapes of real services read as a retry on words alone:
//!
//! - a run loop that blocks each turn until there is work: a worker thread
//!   parked on `self.can_run.wait()`, a consumer on `item = q.get()`, a Go
//!   goroutine in `select` on its channels. It calls out once per signal or
//!   message, paced by whoever sends them, not by failures;
//! - a walk that moves to a new target each turn and stops at the first
//!   error: following parent commits (`parent = data['parents'][0]`), pages
//!   or links through a cursor. A failure ends the walk; nothing is retried;
//! - a poll that waits, with no error path of its own, for a resource the
//!   service asked for to be ready: a letter's PDF still being rendered, an
//!   export job still `"processing"`. The next check comes because the last
//!   answer said "not yet" (the loop re-reads the resource, or stops on a
//!   state the response reports), not because a call failed, so it adds no
//!   load to a dependency that is already failing. A loop that catches an
//!   error, or that only re-sends the same request until the status is
//!   good, is a retry whatever else it reads.
//!
//! Both are read from the loop body's text (comments already blanked), so
//! the checks stay lexical and language-neutral where they can.

use std::sync::LazyLock;

use regex::Regex;

use crate::inventory::Lang;

/// `name = value` (not `==`, `<=`, `:=`, `+=`): an assignment that may
/// move the loop to a new target.
static ASSIGN: LazyLock<Regex> = LazyLock::new(|| {
    crate::facts::pattern::regex(r"(?m)^[ \t]*(?:let\s+|var\s+)?(?P<name>[A-Za-z_$][\w$]*)\s*=[^=]")
});

/// The statements at the top level of a loop body: nested blocks left out,
/// so a wait inside an error handler (a retry's pause) does not count.
/// `body` is the Python indented block, or a brace body starting at `{`.
fn top_level(body: &str, lang: Lang) -> String {
    if lang == Lang::Python {
        let indent = body
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| l.len() - l.trim_start().len())
            .min()
            .unwrap_or(0);
        return body
            .lines()
            .filter(|l| !l.trim().is_empty() && l.len() - l.trim_start().len() == indent)
            .collect::<Vec<_>>()
            .join("\n");
    }
    let mut depth = 0usize;
    let mut out = String::new();
    for c in body.chars() {
        match c {
            '{' => {
                depth += 1;
                if depth == 2 {
                    out.push('{');
                }
            }
            '}' => {
                if depth == 2 {
                    out.push('}');
                }
                depth = depth.saturating_sub(1);
            }
            _ if depth == 1 => out.push(c),
            _ => {}
        }
    }
    out
}

/// The loop blocks each turn on an event, a queue, a condition or a
/// channel before it works: a run loop, not a retry. A wait with a timeout
/// argument (`stop.wait(5)`) is a pause and does not count.
pub(crate) fn blocks_each_turn(body: &str, lang: Lang) -> bool {
    let top = top_level(body, lang);
    // An argless `.wait()` (threading/asyncio Event or Condition) or
    // `.get()` (queue.Queue, asyncio.Queue) blocks until signalled; a dict
    // or HTTP `.get` always takes an argument.
    if top.contains(".wait()") || top.contains(".get()") || top.contains(".recv()") {
        return true;
    }
    // `job = jobs_queue.get(timeout=1)`, `item = q.get(block=True)`.
    if top.match_indices(".get(").any(|(i, _)| {
        let recv_start = top[..i]
            .rfind(|c: char| !(c.is_alphanumeric() || c == '_'))
            .map_or(0, |p| p + 1);
        let recv = top[recv_start..i].to_ascii_lowercase();
        recv == "q" || recv.contains("queue")
    }) {
        return true;
    }
    if lang != Lang::Go {
        return false;
    }
    // `msg := <-ch` at the top of the turn.
    if top.contains(":= <-") || top.contains("= <-") {
        return true;
    }
    // `select { case m := <-jobs: … case <-stop: return }` waits for work;
    // a select on `time.After` is a retry's pause (with `ctx.Done()` to
    // give up), so it is not taken.
    body.match_indices("select {").any(|(i, _)| {
        let block = select_block(&body[i + "select ".len()..]);
        !block.contains("time.After(")
            && block.contains("case ")
            && block.split("case ").skip(1).any(|c| {
                let head = c.lines().next().unwrap_or("");
                let recv = c.split_once("<-").map_or("", |(_, r)| r);
                let recv = recv.split([':', '\n']).next().unwrap_or("").trim();
                head.contains("<-")
                    && !recv.contains("Done()")
                    && !recv.starts_with("time.")
                    && !recv.ends_with(".C")
            })
    }) && top.contains("select {")
}

/// The text of a `{ … }` block starting at `{`, by brace counting.
fn select_block(from: &str) -> &str {
    let mut depth = 0usize;
    for (i, c) in from.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return &from[..i];
                }
            }
            _ => {}
        }
    }
    from
}

/// The loop moves to a new target each turn (a name used in a call out is
/// re-assigned from what came back: `parent = data['parents'][0]`,
/// `cursor = page.next`) and an error ends it (`except …: break`,
/// `if err != nil { return err }`, `catch { break }`): a walk, not a retry.
///
/// `own` is the body with nested loops blanked ([`own_body`]): a handler
/// inside a nested loop (`for (const b of page.data) { try { … } catch {} }`)
/// decides that loop's turn, not whether this one re-sends its request. A
/// walk whose own turn has no handler at all (`while (url) { … fetch(url) …
/// url = body.paging?.next }`, an error escaping the loop) is a walk too;
/// one that waits and turns again (`if (res.status === 429) { await
/// sleep(1000); continue }`) re-sends the same page: a retry.
pub(crate) fn walks_until_error(body: &str, own: &str, calls_out: impl Fn(&str) -> bool) -> bool {
    (advances_target(body, &calls_out) || pages_by_parameter(body, &calls_out))
        && !continues_on_error(own)
        && !(has_word(own, "continue") && super::classify_loop_wait(own).0 != super::Backoff::None)
}

/// The loop body with the bodies of loops nested in it blanked (offsets and
/// line breaks kept), so what is said inside an inner loop (its handlers,
/// its `attempts` counter) is not read as this loop's. `nested` are the
/// inner bodies as offsets relative to `body`.
pub(crate) fn own_body(body: &str, nested: &[(usize, usize)]) -> String {
    let mut bytes = body.as_bytes().to_vec();
    for &(s, e) in nested {
        for b in bytes.iter_mut().take(e.min(body.len())).skip(s) {
            if *b != b'\n' {
                *b = b' ';
            }
        }
    }
    // Only ASCII bytes were replaced, and whole characters: a multi-byte
    // character inside a blanked range becomes several spaces.
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// `.text().catch(() => '')`: a fallback for a response body that cannot
/// be read. The request already answered; the `catch` handles no failure
/// of the call, so it is not an error path that could send it again.
pub(crate) fn reads_body_before(body: &str, catch_at: usize) -> bool {
    let before = body[..catch_at].trim_end();
    let Some(before) = before.strip_suffix('.') else {
        return false;
    };
    let before = before.trim_end();
    ["text()", "json()", "arrayBuffer()", "blob()", "formData()"]
        .iter()
        .any(|r| before.ends_with(&format!(".{r}")))
}

/// The body handles the failure of a call (`catch`, `except`, Go's `err`,
/// Rust's `Err(`), leaving out a fallback for an unreadable response body
/// ([`reads_body_before`]).
pub(crate) fn handles_error(body: &str) -> bool {
    body.match_indices("catch")
        .any(|(i, _)| !reads_body_before(body, i))
        || ["Err(", "err ", "err)", "except", "is_err", "is_ok", ".ok()"]
            .iter()
            .any(|w| body.contains(w))
}

fn has_word(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        before.is_none_or(|b| !(b.is_alphanumeric() || b == '_'))
            && after.is_none_or(|a| !(a.is_alphanumeric() || a == '_'))
    })
}

fn advances_target(body: &str, calls_out: &impl Fn(&str) -> bool) -> bool {
    ASSIGN.captures_iter(body).any(|c| {
        let name = c.name("name").map_or("", |m| m.as_str());
        let at = c.get(0).map_or(0, |m| m.start());
        let rhs = body[c.get(0).map_or(0, |m| m.end()) - 1..]
            .lines()
            .next()
            .unwrap_or("")
            .trim();
        // A counter (`n = n - 1`, `tries = 3`) is not a target.
        let reads_data = rhs.contains('[') || rhs.contains('.');
        // (`next = page.links.next` names the old target's field, which is
        // fine: only the name itself on both sides reads as a count.)
        // A count is built from the name itself and numbers only: `n = n -
        // 1`, `tries = 3`. `url = new URL(location, url).href` resolves a
        // new target against the old one.
        let counter = rhs
            .split(|ch: char| !(ch.is_alphanumeric() || ch == '_' || ch == '$'))
            .filter(|w| !w.is_empty())
            .all(|w| w == name || w.chars().all(|ch| ch.is_ascii_digit()));
        reads_data
            && !counter
            && body[..at].lines().any(|l| {
                calls_out(l)
                    && l.match_indices(name).any(|(i, _)| {
                        let before = l[..i].chars().next_back();
                        let after = l[i + name.len()..].chars().next();
                        before.is_none_or(|b| !(b.is_alphanumeric() || b == '_' || b == '.'))
                            && after.is_none_or(|a| !(a.is_alphanumeric() || a == '_'))
                            // The name as the call's argument, not its result.
                            && !l[i + name.len()..].trim_start().starts_with('=')
                    })
            })
    })
}

/// Request parameters that name a page: `offset`, `page`, `cursor` …, as a
/// key (`"offset": …`, `offset=…`, `offset: …`).
const PAGE_KEYS: &[&str] = &[
    "offset",
    "page",
    "cursor",
    "skip",
    "start",
    "after",
    "marker",
    "page_token",
    "pagetoken",
    "next_token",
    "continuation",
];

/// The loop pages by a request parameter that it advances from what came
/// back: `get(url, {"limit": 100, "offset": len(ids)})` then
/// `ids.extend(r["data"])`, `params={"page": page}` then `page += 1`,
/// `cursor: cursor` then `cursor = res.next_cursor`. Each turn asks for a
/// new page; what moves the loop on is the response, not a failure. (The
/// same loop with a wait after a failure re-sends a page: see
/// [`walks_until_error`].) Language-neutral: the call statement is read up
/// to its closing parenthesis, over several lines.
fn pages_by_parameter(body: &str, calls_out: &impl Fn(&str) -> bool) -> bool {
    let lines: Vec<&str> = body.lines().collect();
    let mut offset = 0;
    let mut starts = Vec::with_capacity(lines.len());
    for l in &lines {
        starts.push(offset);
        offset += l.len() + 1;
    }
    lines.iter().enumerate().any(|(i, l)| {
        if !calls_out(l) {
            return false;
        }
        // The call statement: from its line to the parenthesis that closes it.
        let from = starts[i];
        let mut depth = 0i32;
        let mut end = body.len();
        let mut opened = false;
        for (j, ch) in body[from..].char_indices() {
            match ch {
                '(' | '[' | '{' => {
                    depth += 1;
                    opened = true;
                }
                ')' | ']' | '}' => depth -= 1,
                '\n' if opened && depth <= 0 => {
                    end = from + j;
                    break;
                }
                _ => {}
            }
        }
        let call = body[from..end].to_ascii_lowercase();
        let after = &body[end.min(body.len())..];
        PAGE_KEYS.iter().any(|k| {
            call.match_indices(k).any(|(at, _)| {
                let before = call[..at].chars().next_back();
                let rest = call[at + k.len()..].trim_start_matches(['"', '\'']);
                let rest = rest.trim_start();
                let keyed = (rest.starts_with(':')
                    || rest.starts_with('=') && !rest.starts_with("=="))
                    && before.is_none_or(|b| !(b.is_alphanumeric() || b == '_'));
                if !keyed {
                    return false;
                }
                // The value's names, each advanced after the call from the
                // response: grown (`ids.extend(…)`, `ids.push(…)`,
                // `append(ids, …)`), stepped (`page += 1`) or re-read
                // (`cursor = res.next`).
                let value = rest[1..].split([',', '}', ')', '\n']).next().unwrap_or("");
                value
                    .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .filter(|w| w.chars().next().is_some_and(|c| c.is_alphabetic()))
                    .filter(|w| !matches!(*w, "len" | "int" | "str" | "self" | "this"))
                    .any(|name| advanced(after, name))
            })
        })
    })
}

/// `name` is advanced in `text`: grown, stepped or re-assigned.
fn advanced(text: &str, name: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    [
        format!("{name}.extend("),
        format!("{name}.append("),
        format!("{name}.push("),
        format!("{name} +="),
        format!("{name}+="),
        format!("{name}++"),
        format!("append({name},"),
        format!("{name} = "),
    ]
    .iter()
    .any(|p| {
        lower.match_indices(p.as_str()).any(|(at, _)| {
            lower[..at]
                .chars()
                .next_back()
                .is_none_or(|b| !(b.is_alphanumeric() || b == '_' || b == '.'))
        })
    })
}

/// The loop is left by `return` on a good HTTP status (`if r.status_code ==
/// 200: return`, `if (res.ok) return res`): a status retry that returns on
/// success rather than breaking out. A `return` on a state the response
/// body reports (a job's `successFlag`, a result URL) ends a poll, not a
/// retry, and is not read here. The test is on the line that returns or
/// the one before it (Python's `if …:` over an indented `return`).
pub(crate) fn leaves_by_return(body: &str) -> bool {
    let lines: Vec<&str> = body.lines().collect();
    lines.iter().enumerate().any(|(i, l)| {
        if !has_word(l, "return") {
            return false;
        }
        let test = if l.trim_start().starts_with("return") {
            i.checked_sub(1).map_or("", |p| lines[p])
        } else {
            l
        };
        let test = test.to_ascii_lowercase();
        ["status_code", ".status", ".ok", "statuscode"]
            .iter()
            .any(|w| test.contains(w))
    })
}

/// Some error handler of the body does not leave the loop as its first
/// statement: the loop turns again after a failure.
fn continues_on_error(body: &str) -> bool {
    // Error handlers and the statements that leave a loop, in the four
    // languages' grammar.
    let leave = ["break", "return", "raise", "throw"];
    ["except", "catch", "err != nil", "Err(", "is_err()"]
        .iter()
        .any(|h| {
            body.match_indices(h).any(|(i, _)| {
                if *h == "catch" && reads_body_before(body, i) {
                    return false;
                }
                let rest = &body[i + h.len()..];
                // Past the handler's head: `except X as e:`, `catch (e) {`,
                // `if err != nil {`, `Err(e) =>`.
                let Some(p) = rest.find([':', '{', '>']) else {
                    return false;
                };
                let first = rest[p + 1..].trim_start();
                let first = first.strip_prefix('{').unwrap_or(first).trim_start();
                !leave.iter().any(|w| {
                    first.starts_with(w)
                        && first[w.len()..]
                            .chars()
                            .next()
                            .is_none_or(|c| !(c.is_alphanumeric() || c == '_'))
                })
            })
        })
}

/// The loop polls a resource until it is ready (see the module's first
/// lines); the caller has checked that the body has no error handler.
/// Either the body refreshes an object it reads before calling out
/// (`url = letter.url; … fetch(url) … Object.assign(letter, await
/// api.get(letter.id))`, `job = client.get_job(job.id)`), or it leaves the
/// loop on a state the response names (`if (job.status === "done") break`,
/// `if r.json()["state"] == "SUCCEEDED": break`).
pub(crate) fn polls_until_ready(body: &str, calls_out: impl Fn(&str) -> bool) -> bool {
    refreshes_what_it_checks(body, calls_out) || stops_on_state(body)
}

fn refreshes_what_it_checks(body: &str, calls_out: impl Fn(&str) -> bool) -> bool {
    let lines: Vec<&str> = body.lines().collect();
    let Some(first_call) = lines.iter().position(|l| calls_out(l)) else {
        return false;
    };
    // Names whose fields are read up to and on the line that calls out.
    let read = |name: &str| {
        lines[..=first_call].iter().any(|l| {
            l.match_indices(name).any(|(i, _)| {
                let before = l[..i].chars().next_back();
                let after = l[i + name.len()..].chars().next();
                before.is_none_or(|b| !(b.is_alphanumeric() || b == '_' || b == '$' || b == '.'))
                    && matches!(after, Some('.' | '['))
            })
        })
    };
    lines[first_call + 1..].iter().any(|l| {
        let t = l.trim_start();
        // `Object.assign(letter, fresh)`: merged in place.
        if let Some(rest) = t.strip_prefix("Object.assign(") {
            let name = rest.split([',', ')']).next().unwrap_or("").trim();
            return !name.is_empty() && read(name);
        }
        // `job = client.get_job(job.id)`: the same name re-read from a call.
        let t = t
            .trim_start_matches("let ")
            .trim_start_matches("var ")
            .trim_start_matches("const ");
        let Some((name, rhs)) = t.split_once('=') else {
            return false;
        };
        let name = name
            .trim()
            .trim_start_matches("self.")
            .trim_start_matches("this.");
        !rhs.starts_with('=')
            && !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '$')
            && rhs.contains('(')
            && read(name)
    })
}

/// The loop is left (`break`, `return`) on a test against a quoted state
/// (`"done"`, `'ready'`, `"SUCCEEDED"`), on the line that leaves or the one
/// before it (Python's `if …:` over an indented `break`).
fn stops_on_state(body: &str) -> bool {
    let lines: Vec<&str> = body.lines().collect();
    lines.iter().enumerate().any(|(i, l)| {
        let leaves = ["break", "return"].iter().any(|w| {
            l.match_indices(w).any(|(at, _)| {
                let before = l[..at].chars().next_back();
                let after = l[at + w.len()..].chars().next();
                before.is_none_or(|b| !(b.is_alphanumeric() || b == '_'))
                    && after.is_none_or(|a| !(a.is_alphanumeric() || a == '_'))
            })
        });
        if !leaves {
            return false;
        }
        let test = if l.trim_start().starts_with("break") || l.trim_start().starts_with("return") {
            i.checked_sub(1).map_or("", |p| lines[p])
        } else {
            l
        };
        ["==", "!="].iter().any(|op| {
            test.match_indices(op).any(|(at, _)| {
                let rhs = test[at + op.len()..].trim_start_matches('=').trim_start();
                let lhs = test[..at].trim_end();
                let quoted =
                    |s: &str| s.starts_with(['"', '\'', '`']) || s.ends_with(['"', '\'', '`']);
                // A state word, not an empty string.
                let state = |s: &str| {
                    let w = s.trim_matches(|c: char| !c.is_alphanumeric());
                    w.chars().next().is_some_and(|c| c.is_alphabetic())
                };
                (quoted(rhs) && state(rhs.split([')', ':', '&', '|']).next().unwrap_or("")))
                    || (quoted(lhs) && state(lhs.rsplit(['(', ' ']).next().unwrap_or("")))
            })
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_loops_block_on_work_retries_pause() {
        // A worker parked on its event, a queue consumer: run loops.
        assert!(blocks_each_turn(
            "    self.wake.wait()\n    if self.sync():\n        break\n",
            Lang::Python
        ));
        assert!(blocks_each_turn(
            "    job = pending_queue.get(timeout=2)\n    try:\n        post(job)\n    except E:\n        continue\n",
            Lang::Python
        ));
        // A retry whose pause is an event wait with a timeout, inside its
        // handler: not a run loop.
        assert!(!blocks_each_turn(
            "    try:\n        return post(u)\n    except E:\n        stop.wait()\n",
            Lang::Python
        ));
        assert!(!blocks_each_turn(
            "    try:\n        return post(u)\n    except E:\n        stop.wait(5)\n",
            Lang::Python
        ));
        // Go: a select that receives work is a run loop; one on time.After
        // with ctx.Done() is the pause of a retry.
        assert!(blocks_each_turn(
            "{\n\tselect {\n\tcase m := <-inbox:\n\t\tsend(m)\n\tcase <-ctx.Done():\n\t\treturn\n\t}\n}",
            Lang::Go
        ));
        assert!(!blocks_each_turn(
            "{\n\tif err := send(m); err == nil {\n\t\treturn\n\t}\n\tselect {\n\tcase <-ctx.Done():\n\t\treturn\n\tcase <-time.After(d):\n\t}\n}",
            Lang::Go
        ));
        assert!(!blocks_each_turn(
            "{\n\tfor {\n\t\tselect {\n\t\tcase m := <-inbox:\n\t\t}\n\t}\n}",
            Lang::Go
        ));
    }

    #[test]
    fn walks_advance_and_stop_at_the_first_error() {
        let http = |l: &str| l.contains("requests.get(") || l.contains("fetch(");
        let walk = "    try:\n        r = requests.get(node['url'], timeout=5)\n        node = r.json()['parent']\n    except Exception:\n        break\n";
        assert!(walks_until_error(walk, walk, http));
        // The same walk that retries the same node on error is a retry.
        let retry = "    try:\n        r = requests.get(node['url'], timeout=5)\n        node = r.json()['parent']\n    except Exception:\n        time.sleep(1)\n";
        assert!(!walks_until_error(retry, retry, http));
        // A counter is not a new target.
        let counted = "    try:\n        r = requests.get(url)\n        url_tries = url_tries - 1\n    except Exception:\n        break\n";
        assert!(!walks_until_error(counted, counted, http));
        let pages = "{\n  try {\n    const res = await fetch(next);\n    next = (await res.json()).links.next;\n  } catch (e) {\n    break;\n  }\n}";
        assert!(walks_until_error(pages, pages, http));
        // A redirect walk: the next target is resolved against the old one
        // (`new URL(location, url)`), which is not a count.
        let hops = "{\n  const r = await fetch(url, { redirect: 'manual' });\n  try {\n    url = new URL(r.headers.get('location'), url).href;\n  } catch {\n    return null;\n  }\n}";
        assert!(walks_until_error(hops, hops, http));
        // Pages whose items are handled in an inner loop: the inner loop's
        // swallowing handler is not this loop's (the caller blanks it).
        let paged = "{\n  const page = await (await fetch(next)).json();\n  for (const b of page.data) {\n    try { await save(b); } catch { }\n  }\n  next = page.paging?.next;\n}";
        let inner_start = paged.find("for (const b").unwrap() + "for (const b of page.data) ".len();
        let inner_end = paged[inner_start..].find("\n  }").unwrap() + inner_start + 4;
        let own = own_body(paged, &[(inner_start, inner_end)]);
        assert!(!own.contains("catch"), "{own}");
        assert_eq!(own.len(), paged.len());
        assert!(walks_until_error(paged, &own, http));
        assert!(!walks_until_error(paged, paged, http));
        // The same walk that waits and turns again on a 429 re-sends the
        // page: a retry.
        let throttled = "{\n  const res = await fetch(next);\n  if (res.status === 429) { await sleep(1000); continue; }\n  next = (await res.json()).links.next;\n}";
        assert!(!walks_until_error(throttled, throttled, http));
    }

    #[test]
    fn a_body_read_fallback_is_no_error_path() {
        // One PUT per chunk: the only `catch` is for a body that cannot be
        // read, and a bad status throws out of the loop.
        let chunks = "{\n  const up = await fetch(u, { method: 'PUT', body });\n  if (!up.ok) {\n    const text = await up.text().catch(() => '');\n    throw new Error(text);\n  }\n}";
        assert!(!handles_error(chunks));
        // A request's own failure caught in the chain is an error path.
        let caught =
            "{\n  const res = await fetch(u).catch(() => null);\n  if (res) return res;\n}";
        assert!(handles_error(caught));
        assert!(handles_error(
            "{\n  try { return await fetch(u) } catch (e) { last = e }\n}"
        ));
    }

    #[test]
    fn polls_wait_for_a_resource_retries_resend() {
        let http = |l: &str| l.contains("fetch(") || l.contains("requests.get(");
        // Re-reads the record it checks between looks.
        let refresh = "{\n  const u = doc.pdfUrl;\n  const r = await fetch(u);\n  if (r.ok) break;\n  await sleep(3000);\n  Object.assign(doc, await docs.get(doc.id));\n}";
        assert!(polls_until_ready(refresh, http));
        let py_refresh = "    r = requests.get(job.url, timeout=5)\n    if r.ok:\n        break\n    time.sleep(5)\n    job = client.get_job(job.id)\n";
        assert!(polls_until_ready(py_refresh, http));
        // Stops on a state the response reports.
        let state = "    r = requests.get(u, timeout=5)\n    if r.json()[\"state\"] == \"SUCCEEDED\":\n        break\n    time.sleep(5)\n";
        assert!(polls_until_ready(state, http));
        assert!(polls_until_ready(
            "{\n  const j = await (await fetch(u)).json();\n  if (j.status === 'done') break;\n  await sleep(1000);\n}",
            http
        ));
        // The same request re-sent until the status is good: a retry, also
        // when the response is re-assigned each turn or compared to a number.
        let resend = "{\n  const r = await fetch(u);\n  if (r.ok) break;\n  await sleep(5000);\n  attempts++;\n}";
        assert!(!polls_until_ready(resend, http));
        let numbered = "    r = requests.get(u)\n    if r.status_code == 200:\n        break\n    time.sleep(2)\n";
        assert!(!polls_until_ready(numbered, http));
        let reassigned = "{\n  res = await fetch(u);\n  if (res.ok) break;\n  delay = Math.min(delay * 2, cap);\n  await sleep(delay);\n}";
        assert!(!polls_until_ready(reassigned, http));
    }
}
