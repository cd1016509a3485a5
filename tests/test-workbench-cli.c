#include "config.h"
#include "ld-core.h"
#include "ld-test-util.h"
#include "ld-test-demo.h"
int main (int argc, char **argv) { ld_test_init (&argc, &argv); return g_test_run (); }
