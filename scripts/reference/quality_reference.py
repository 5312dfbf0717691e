# Reference values for the quality statistics tests (fisher-exact-greater). Run: python3 scripts/reference/quality_reference.py
import scipy, scipy.stats as st
cases=[(14,100,50,1000),(0,100,5,1000),(3,10,1,20),(60,1000,300,8000),(200,2000,800,16000),(30,150,100,5000),(5,200,40,1600),(1000,20000,4000,160000),(7,7,0,10),(2,500,1,4000)]
print(scipy.__version__)
for x1,n1,x2,n2 in cases:
    print(x1,n1,x2,n2, repr(st.fisher_exact([[x1,n1-x1],[x2,n2-x2]],alternative='greater').pvalue))
