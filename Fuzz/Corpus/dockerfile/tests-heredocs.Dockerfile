FROM alpine
RUN <<ONE bash && <<-TWO sh
USER root
ONE
FROM evil
	TWO
COPY <<EOF /etc/app.conf
USER root
EOF
ADD 0<<CONF /etc/other
FROM x
CONF
RUN <<A <<"B" <<-'C'
a
A
b
B
c
C
USER 65532
