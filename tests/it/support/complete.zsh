# capture.zsh DIR WORDS...: the candidates zsh's completion offers for the
# last of WORDS, as an interactive zsh computes them on TAB. The markers are
# split in the source so that the echoed input never matches them.
zmodload zsh/zpty
zpty z zsh -f -i
zpty -w z "PROMPT=''; fpath=($1 \$fpath); autoload -U compinit; compinit -u -D; bindkey '^I' complete-word"
zpty -w z 'compadd() { if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then builtin compadd "$@"; return; fi; local -a hits; builtin compadd -A hits "$@"; local h; for h in $hits; do print -r -- "CAN""DIDATE:$h"; done; builtin compadd "$@"; }'
zpty -w z 'ended() { print -r -- "END""OFCOMPLETION"; }; comppostfuncs=(ended)'
shift
zpty -n -w z "${*}"$'\t'
while zpty -r z line; do
  [[ $line == *ENDOFCOMPLETION* ]] && break
  [[ $line == *CANDIDATE:* ]] && print -r -- "${${line##*CANDIDATE:}%%$'\r'*}"
done
zpty -d z
