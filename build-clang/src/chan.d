build-clang/src/chan.o: src/chan.c include/chunkvisor.h src/log.h \
  src/master.h src/chunk.h src/conf.h src/input.h src/output.h \
  src/proto.h src/reduce.h

include/chunkvisor.h:

src/log.h:

src/master.h:

src/chunk.h:

src/conf.h:

src/input.h:

src/output.h:

src/proto.h:

src/reduce.h:
