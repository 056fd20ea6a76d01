# Sourced by ./tally (and read by the CLI tests): the JVM options Tally needs on a given JDK.
# tally_jvm_flags MAJOR prints them, one per line.
tally_jvm_flags() {
  # The SQLite driver loads its native library with System.load. JDK 24 and newer print a warning for
  # that unless native access is enabled; the option is standard from JDK 22 on, and JDK 21 neither
  # needs it nor warns.
  if [ "${1:-0}" -ge 22 ]; then
    echo "--enable-native-access=ALL-UNNAMED"
  fi
}
