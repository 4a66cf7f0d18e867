#!/bin/sh
# Checks the manual pages in docs/man against the programs they document.
#
#   check_man_pages.sh [--man-dir DIR] BINARY...
#
# For each BINARY (stewardd, steward, steward-device, steward-svrdb, steward-enroll) the page
# DIR/<name>.1 or DIR/<name>.8 must exist, and the set of long options (--xxx) that the program's
# help prints must equal the set the page mentions: an option missing from the page, or one the
# page mentions that the program does not print, fails the test with the difference. The help is
# `BINARY --help`, and for the programs with subcommands also every subcommand's help
# (steward: `steward CMD --help` and `steward --local CMD --help`; steward-svrdb:
# `steward-svrdb help CMD`); those subcommands must each be named in the page as well.
#
# Then every page is rendered the way lintian does, and any output on stderr (a groff warning, a
# man-db complaint) fails the test. Without man(1) that part cannot run: the test exits 77
# (skipped) once the option comparison has passed.
#
# DIR defaults to docs/man next to this script's tests/ directory.
set -u

here=$(cd "$(dirname "$0")" && pwd)
man_dir="$here/../../docs/man"
if [ "${1:-}" = "--man-dir" ]; then
    [ $# -ge 2 ] || { echo "usage: $0 [--man-dir DIR] BINARY..." >&2; exit 2; }
    man_dir=$2
    shift 2
fi
if [ $# -eq 0 ]; then
    echo "usage: $0 [--man-dir DIR] BINARY..." >&2
    exit 2
fi
[ -d "$man_dir" ] || { echo "FAIL: no manual page directory $man_dir" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/check_man_pages.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT INT TERM

failed=0
fail() {
    echo "FAIL: $*" >&2
    failed=1
}

# The long options in some text: --name, the name starting with a lower-case letter.
long_options() {
    grep -oE -- '--[a-z][a-z0-9-]*' | sed 's/-*$//' | sort -u
}

# A page's text with the roff escapes that hide a plain "-" or a word undone, comments dropped.
page_text() {
    sed -e '/^\.\\"/d' -e 's/\\-/-/g' -e 's/\\(hy/-/g' -e 's/\\f[BIRP]//g' -e 's/\\f(..//g' \
        -e 's/\\&//g' -e 's/\\%//g' "$1"
}

# Runs a program's help and appends it to $work/help; fails if it does not succeed.
collect_help() {
    if ! "$@" >>"$work/help" 2>"$work/help.err"; then
        fail "'$*' failed: $(head -n 3 "$work/help.err")"
        return 1
    fi
}

# The subcommands a program's general help names, one per line.
subcommands() {
    name=$1
    help_file=$2
    case $name in
        steward)
            # "  discover    find ...", "  direct-pairing let ...", and the ones named after a
            # "; " in a summary ("approve ...; deny: leave it alone").
            {
                sed -n 's/^  \([a-z][a-z-]*\) .*/\1/p' "$help_file"
                grep -oE '; [a-z][a-z-]*: ' "$help_file" | sed 's/^; //; s/: $//'
            } | grep -vx 'help' | sort -u
            ;;
        steward-svrdb)
            # "       steward-svrdb acl add FILE ..." -> "acl add"; "menu FILE" -> "menu".
            sed -n 's/^ *\(usage: \)\{0,1\}steward-svrdb \([a-z][a-z-]*\)\( [a-z][a-z-]*\)\{0,1\} .*/\2\3/p' "$help_file" |
                sed 's/ FILE$//' | grep -vx 'help' | sort -u
            ;;
    esac
}

for binary in "$@"; do
    name=$(basename "$binary")
    if [ ! -x "$binary" ]; then
        fail "$binary is not an executable"
        continue
    fi
    page=""
    for section in 1 8; do
        [ -f "$man_dir/$name.$section" ] && page="$man_dir/$name.$section"
    done
    if [ -z "$page" ]; then
        fail "no manual page $name.1 or $name.8 in $man_dir"
        continue
    fi

    : >"$work/help"
    collect_help "$binary" --help || continue
    cp "$work/help" "$work/general-help"
    subcommands "$name" "$work/general-help" >"$work/commands"
    if [ "$name" != steward ] && [ "$name" != steward-svrdb ]; then : >"$work/commands"; fi
    page_text "$page" >"$work/page"
    # The tags of the page's .TP paragraphs: where a command is described.
    awk 'tag { print; tag = 0 } /^\.TP/ { tag = 1 }' "$work/page" >"$work/tags"

    while IFS= read -r command; do
        [ -n "$command" ] || continue
        case $name in
            steward)
                # A command exists through stewardd, with --local, or both; each mode's help counts.
                found=0
                # shellcheck disable=SC2086 # no command has a space in its name
                "$binary" $command --help >>"$work/help" 2>/dev/null && found=1
                # shellcheck disable=SC2086
                "$binary" --local $command --help >>"$work/help" 2>/dev/null && found=1
                [ $found -eq 1 ] || fail "$name: neither '$name $command --help' nor '$name --local $command --help' works"
                ;;
            steward-svrdb)
                # shellcheck disable=SC2086 # "acl add" is two words on purpose
                collect_help "$binary" help $command
                ;;
        esac
        # The page describes the command in a paragraph of its own: a .TP tag that starts with it.
        if ! grep -qE "^(\.B[RI]? )?\"?$command( |\"|$)" "$work/tags"; then
            fail "$name: the page does not describe the command '$command'"
        fi
    done <"$work/commands"

    # --help itself is an option the program has (it just printed its help), listed or not.
    { cat "$work/help"; echo "--help"; } | long_options >"$work/help-options"
    long_options <"$work/page" >"$work/page-options"
    missing=$(comm -23 "$work/help-options" "$work/page-options" | tr '\n' ' ')
    extra=$(comm -13 "$work/help-options" "$work/page-options" | tr '\n' ' ')
    [ -z "$missing" ] || fail "$name: options in --help but not in $(basename "$page"): $missing"
    [ -z "$extra" ] || fail "$name: options in $(basename "$page") but not in --help: $extra"
    if [ -z "$missing" ] && [ -z "$extra" ]; then
        echo "ok: $name: $(wc -l <"$work/help-options") long options and $(wc -l <"$work/commands") subcommands match $(basename "$page")"
    fi
    echo "$page" >>"$work/pages"
done

if [ $failed -ne 0 ]; then
    exit 1
fi

if ! command -v man >/dev/null 2>&1; then
    echo "SKIP: man(1) is not installed, so the pages cannot be checked for groff/man warnings" >&2
    exit 77
fi

# What lintian runs for each manual page (checks/documentation/manual.pm); any stderr is an error.
while IFS= read -r page; do
    if ! LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z "$page" \
        >/dev/null 2>"$work/man.err"; then
        fail "$(basename "$page"): man exited with an error: $(cat "$work/man.err")"
    elif [ -s "$work/man.err" ]; then
        fail "$(basename "$page"): man --warnings printed:"
        sed 's/^/    /' "$work/man.err" >&2
    else
        echo "ok: $(basename "$page") renders without warnings"
    fi
done <"$work/pages"

exit $failed
