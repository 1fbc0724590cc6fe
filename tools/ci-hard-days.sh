#!/bin/sh
# For CI: run the tests that lean on the calendar again with the system clock moved to days
# that once broke them: a hospital closure (12/29), a 振替休日 and New Year's Day of the next
# year. tests/conftest.py pins the program's own clock (desktop_app.domain.clock) to one day,
# and faketime moves only the system clock, so a failure here is a test or a screen that
# reads the real date (dt.date.today(), QDate.currentDate()) instead of the program's clock.
# Usage: tools/ci-hard-days.sh PYTHON
set -eu
PYTHON="$1"
if ! command -v faketime >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ]; then SUDO=""; else SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get install -y -qq --no-install-recommends faketime >/dev/null 2>&1 || {
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends faketime >/dev/null
  }
fi
# The pure rules, the services that count days, the calendar and statistics pages, and the
# journeys (which walk the other screens); about 70 s a day.
TESTS="tests/domain tests/services/test_statistics.py tests/services/test_booking.py
tests/services/test_board.py tests/ui/test_calendar_page.py tests/ui/test_stats_page.py
tests/journeys"
for day in 2026-12-29 2027-03-22 2027-01-01; do
  echo "ci: the calendar tests with the system clock at $day"
  # shellcheck disable=SC2086
  faketime -f "@$day 08:00:00" "$PYTHON" -m pytest -q -p no:cacheprovider $TESTS
done
