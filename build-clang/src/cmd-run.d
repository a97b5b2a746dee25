build-clang/src/cmd-run.o: src/cmd-run.c src/cmd.h src/conf.h \
  src/master.h src/chunk.h src/input.h src/output.h src/proto.h \
  src/reduce.h

src/cmd.h:

src/conf.h:

src/master.h:

src/chunk.h:

src/input.h:

src/output.h:

src/proto.h:

src/reduce.h:
