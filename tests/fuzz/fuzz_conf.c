/* fuzz_conf.c: libFuzzer target for the job file loader: any bytes as a
 * job file must give 0 or an exit status with a message, never a crash,
 * a leak or an out-of-bounds access. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "conf.h"

/* Its messages go to stderr: run it with -close_fd_mask=2. */
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf	 conf;
	FILE		*fp;

	if ((fp = fmemopen((void *)(uintptr_t)data, size, "r")) == NULL)
		return 0;
	conf_init(&conf);
	conf.path = strdup("fuzz.ini");
	if (conf_load_stream(&conf, fp) == 0)
		(void)conf_finish(&conf);
	fclose(fp);
	conf_free(&conf);
	return 0;
}
